// The "Why" panel: after each answer, which part of the input made it (neuroflow explain), with one
// click to switch the method; a heatmap over the picture as the network saw it, or the top columns.
"use strict";
const why = { method: "integrated-gradients", input: null, seen: null, asked: 0, timer: null, pending: null };
// The page asks for an answer after every stroke; an explanation costs several answers' time, so
// it is asked for once the drawing pauses, and one still on its way is dropped for a newer one.
const WHY_PAUSE_MS = 400;

function whyReset() { why.input = null; $("why-box").hidden = true; whyCancel(); }

function whyCancel() {
  clearTimeout(why.timer); why.timer = null;
  if (why.pending) why.pending.abort();
  why.pending = null;
}

// Called by app.js with what was sent to predict: {blob, name} for a picture, {values} for a row.
function whyExplain(input, seen) {
  why.input = input; why.seen = seen || null;
  const table = state.model && state.model.kind === "table";
  for (const b of $("why-methods").querySelectorAll("button")) b.hidden = table && b.dataset.method === "gradcam";
  if (table && why.method === "gradcam") why.method = "integrated-gradients";
  whyCancel();
  why.timer = setTimeout(whyRun, table ? 0 : WHY_PAUSE_MS);
}

async function whyRun() {
  if (!why.input || !state.model) return;
  whyCancel();
  const asked = ++why.asked, controller = (why.pending = new AbortController());  // a later ask wins
  for (const b of $("why-methods").querySelectorAll("button")) b.classList.toggle("chosen", b.dataset.method === why.method);
  $("why-box").hidden = false; $("why-note").textContent = `explaining with ${why.method}…`;
  const base = `/api/models/${encodeURIComponent(state.model.id)}/explain`;
  try {
    const [found] = why.input.blob
      ? await api(`${base}/image?method=${why.method}&name=${encodeURIComponent(why.input.name)}`,
        { method: "POST", body: why.input.blob, headers: { "Content-Type": "application/octet-stream" }, signal: controller.signal })
      : await api(`${base}/row?method=${why.method}`,
        { method: "POST", body: JSON.stringify({ values: why.input.values }), headers: { "Content-Type": "application/json" }, signal: controller.signal });
    if (asked === why.asked) whyShow(found);
  } catch (err) {
    if (asked === why.asked && err.name !== "AbortError") { $("why-note").textContent = ""; showError(err); }
  }
}

function whyShow(found) {
  const answer = typeof found.label === "number" ? found.label.toPrecision(4) : `'${found.label}'`;
  const gap = found.completeness_gap == null ? "" : `; completeness gap ${(100 * found.completeness_gap).toFixed(2)}%`;
  $("why-note").textContent = `${answer} by ${found.method}${gap}`;
  $("why-box").dataset.method = found.method;
  $("why").hidden = !found.heatmap;
  $("why-columns").innerHTML = "";
  if (found.heatmap) drawHeat($("why"), why.seen, found.heatmap);
  const columns = Object.entries(found.columns || {}).slice(0, 5);
  const top = Math.max(1e-12, ...columns.map(([, v]) => Math.abs(v)));
  for (const [name, value] of columns) {
    const row = document.createElement("div");
    row.className = "bar" + (value < 0 ? " negative" : "");
    row.innerHTML = `<span class="name"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>`;
    row.querySelector(".name").textContent = name;
    row.querySelector(".fill").style.width = `${(100 * Math.abs(value) / top).toFixed(1)}%`;
    row.querySelector(".pct").textContent = value.toPrecision(2);
    $("why-columns").append(row);
  }
}

// The picture as the network saw it in grey, the heatmap over it in orange.
function drawHeat(canvas, seen, heat) {
  const h = heat.length, w = heat[0].length;
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const g = seen && seen.length === h ? seen[y][x] : 0, a = heat[y][x];
    img.data.set([g * (1 - a) + 255 * a, g * (1 - a) + 140 * a, g * (1 - a), 255], 4 * (y * w + x));
  }
  ctx.putImageData(img, 0, 0);
}

for (const b of document.querySelectorAll("#why-methods button")) {
  b.onclick = () => { why.method = b.dataset.method; whyRun(); };
}
