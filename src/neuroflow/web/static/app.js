// The page: pick a model, draw or drop a picture or fill a row, and show what the model says and saw.
"use strict";
const $ = (id) => document.getElementById(id);
const state = { models: [], model: null, strokes: [], current: null };

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({ detail: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw Object.assign(new Error(body.detail || response.statusText), { status: response.status });
  return body;
}

function showError(err) { $("error").textContent = err ? String(err.message || err) : ""; }

async function loadModels(selectId) {
  state.models = await api("/api/models");
  const select = $("model");
  const keep = selectId || select.value;
  select.innerHTML = "";
  for (const m of state.models) {
    // the id is unique and is what a page training's status calls the model
    const time = m.training_s == null ? "" : `, trained in ${m.training_s} s`;
    const option = new Option(`${m.id} (${m.kind}${m.classes ? `, ${m.classes.length} classes` : ""}${time})`, m.id);
    select.add(option);
  }
  if (keep && state.models.some((m) => m.id === keep)) select.value = keep;
  await chooseModel(select.value);
}

async function chooseModel(id) {
  state.model = state.models.find((m) => m.id === id) || null;
  clearAnswer();
  if (!state.model) { $("model-note").textContent = "no models yet: train one below"; return; }
  const image = state.model.kind === "image";
  $("image-panel").hidden = !image;
  $("table-panel").hidden = image;
  if (!image) buildRowForm(state.model.inputs);
  const detail = await api(`/api/models/${encodeURIComponent(id)}`);
  $("card").innerHTML = renderMarkdown(detail.card || "");
  $("figures").innerHTML = "";
  for (const f of detail.figures) $("figures").append(figureOf(f));
}

// A figure at its own size (narrowed only to fit the panel); a click shows it full size.
function figureOf(f) {
  const caption = f.name.replace(/_/g, " ").replace(".png", "");
  const link = Object.assign(document.createElement("a"), { href: f.url, target: "_blank", title: `${caption}: click for full size` });
  const img = Object.assign(new Image(), { src: f.url, alt: f.name });
  link.append(img);
  link.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;  // a new tab, as asked
    event.preventDefault();
    showFigure(f.url, f.name, caption);
  });
  const box = document.createElement("figure");
  box.append(link, Object.assign(document.createElement("figcaption"), { textContent: caption }));
  return box;
}

function showFigure(url, name, caption) {
  const viewer = $("viewer");
  Object.assign($("viewer-img"), { src: url, alt: name });
  $("viewer-caption").textContent = caption;
  viewer.showModal();
}
$("viewer").addEventListener("click", () => $("viewer").close());  // anywhere, as Escape does

function buildRowForm(inputs) {
  const box = $("row-fields");
  box.innerHTML = "";
  for (const col of inputs) {
    const label = document.createElement("label");
    label.textContent = col.name + " ";
    let field;
    if (col.kind === "category") {
      field = document.createElement("select");
      field.add(new Option("(blank)", ""));
      for (const c of col.categories) field.add(new Option(c, c));
    } else {
      field = Object.assign(document.createElement("input"), { type: "text", inputMode: "decimal", placeholder: "number or blank" });
    }
    field.name = col.name;
    field.dataset.column = col.name;
    label.append(field);
    box.append(label);
  }
}

function clearAnswer() {
  forgetAsked();  // an answer to a drawing no longer there must not come back
  $("verdict").textContent = "—"; $("verdict").className = "verdict";
  $("ood").textContent = ""; $("bars").innerHTML = ""; $("seen-box").hidden = true; showError(null);
  if (typeof whyReset === "function") whyReset();
}

function showAnswer(answer) {
  const p = answer.prediction;
  const unknown = p.prediction === "unknown";
  $("verdict").textContent = unknown ? `unknown — not like the training data (closest: ${p.class})` : String(p.prediction);
  $("verdict").className = "verdict" + (unknown ? " unknown" : "");
  const threshold = state.model && state.model.threshold;
  $("ood").textContent = p.unknown_score === undefined ? "" :
    `unknown-input score ${p.unknown_score.toFixed(2)} against the threshold ${threshold == null ? "?" : threshold.toFixed(2)}: ${p.verdict}`;
  $("bars").innerHTML = "";
  const probs = Object.entries(p.probabilities || {});
  for (const [name, value] of probs) {
    const row = document.createElement("div");
    row.className = "bar" + (name === String(p.class) ? " top" : "");
    row.innerHTML = `<span class="name"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>`;
    row.querySelector(".name").textContent = name;
    row.querySelector(".fill").style.width = `${(100 * value).toFixed(1)}%`;
    row.querySelector(".pct").textContent = `${(100 * value).toFixed(1)}%`;
    $("bars").append(row);
  }
  if (answer.seen) {
    $("seen-box").hidden = false;
    drawGrey($("seen"), answer.seen);
    $("maps").innerHTML = "";
    $("maps-title").hidden = !answer.feature_maps.length;  // a network without convolutions has none
    for (const map of answer.feature_maps) {
      const c = document.createElement("canvas");
      $("maps").append(c); drawGrey(c, map);
    }
  }
}

function drawGrey(canvas, rows) {
  const h = rows.length, w = rows[0].length;
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  rows.flat().forEach((v, i) => { img.data.set([v, v, v, 255], 4 * i); });
  ctx.putImageData(img, 0, 0);
}

async function predictPicture(blob, name) {
  showError(null);
  // Only the answer to the latest question is shown: the previous request is aborted, and an
  // answer that still arrives late (the server had sent it) is dropped by the counter.
  forgetAsked();
  const asked = state.asked, controller = (state.pending = new AbortController());
  try {
    const url = `/api/models/${encodeURIComponent(state.model.id)}/predict/image?name=${encodeURIComponent(name)}`;
    const answer = await api(url, { method: "POST", body: blob, headers: { "Content-Type": "application/octet-stream" }, signal: controller.signal });
    if (asked === state.asked) { showAnswer(answer); whyExplain({ blob, name }, answer.seen); }
  } catch (err) { if (asked === state.asked && err.name !== "AbortError") showError(err); }
}

function forgetAsked() {
  if (typeof whyCancel === "function") whyCancel();  // a new question: the old explanation waits no more
  state.asked = (state.asked || 0) + 1;
  if (state.pending) state.pending.abort();
  state.pending = null;
}

function redraw() {
  const pad = $("pad"), ctx = pad.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, pad.width, pad.height);
  ctx.strokeStyle = "#000"; ctx.lineCap = "round"; ctx.lineJoin = "round";
  for (const s of state.strokes) {
    ctx.lineWidth = s.width; ctx.beginPath();
    s.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    if (s.points.length === 1) ctx.lineTo(s.points[0][0] + 0.1, s.points[0][1]);
    ctx.stroke();
  }
}

function padPoint(event) {
  const r = $("pad").getBoundingClientRect();
  return [((event.clientX - r.left) * $("pad").width) / r.width, ((event.clientY - r.top) * $("pad").height) / r.height];
}

function predictDrawing() {
  if (!state.strokes.length) return;
  $("pad").toBlob((blob) => predictPicture(blob, "drawing.png"), "image/png");
}

function setUpPad() {
  const pad = $("pad");
  pad.addEventListener("pointerdown", (e) => {
    pad.setPointerCapture(e.pointerId);
    state.current = { width: Number($("pen").value), points: [padPoint(e)] };
    state.strokes.push(state.current); redraw();
  });
  pad.addEventListener("pointermove", (e) => { if (state.current) { state.current.points.push(padPoint(e)); redraw(); } });
  const end = () => { if (state.current) { state.current = null; predictDrawing(); } };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  $("clear").onclick = () => { state.strokes = []; redraw(); clearAnswer(); };
  $("undo").onclick = () => { state.strokes.pop(); redraw(); state.strokes.length ? predictDrawing() : clearAnswer(); };
  $("predict").onclick = predictDrawing;
  redraw();
}

function setUpDrop() {
  const drop = $("drop");
  const send = (file) => file && predictPicture(file, file.name);
  $("file").onchange = () => send($("file").files[0]);
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); send(e.dataTransfer.files[0]); });
}

$("table-panel").addEventListener("submit", async (e) => {
  e.preventDefault(); showError(null);
  const values = {};
  for (const field of $("row-fields").querySelectorAll("[data-column]")) values[field.dataset.column] = field.value.trim() || null;
  try {
    const url = `/api/models/${encodeURIComponent(state.model.id)}/predict/row`;
    showAnswer(await api(url, { method: "POST", body: JSON.stringify({ values }), headers: { "Content-Type": "application/json" } }));
    whyExplain({ values });
  } catch (err) { showError(err); }
});
$("model").onchange = () => chooseModel($("model").value).catch(showError);
setUpPad();
setUpDrop();
loadModels().catch(showError);
