// The exported model's page: draw or drop a picture, or fill a row; the page prepares it as
// neuroflow does (prepare.js), runs model.onnx with ONNX Runtime Web and judges the answer (a
// classifier's bars and verdict, or a regression model's number).
"use strict";
const $ = (id) => document.getElementById(id);
const P = globalThis.NeuroflowPrepare;
const state = { model: null, session: null, strokes: [], current: null, asked: 0 };

function setStatus(text, bad) {
  $("status").textContent = text;
  $("status").className = "note" + (bad ? " error" : "");
}

function showError(err) { $("error").textContent = err ? String(err.message || err) : ""; }

async function start() {
  const response = await fetch("model.json");
  if (!response.ok) throw new Error(`model.json: ${response.status} ${response.statusText}`);
  state.model = await response.json();
  $("name").textContent = state.model.name;
  document.title = `${state.model.name} — neuroflow`;
  // One thread, the files beside the page: no worker, no cross-origin isolation, no CDN.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = new URL("./", location.href).href;
  state.session = await ort.InferenceSession.create("model.onnx", { executionProviders: ["wasm"] });
  const image = state.model.kind === "image";
  $("image-panel").hidden = !image;
  $("table-panel").hidden = image;
  if (image) { setUpPad(); setUpDrop(); } else buildRowForm(state.model.preprocessing.columns);
  setStatus(image ? "ready: draw or drop a picture" : "ready: fill in a row");
  document.body.dataset.ready = "yes";
}

// ---- the answer, judged as neuroflow judges it (neuroflow.models.detector) ----

function softmax(logits, temperature) {
  const z = logits.map((v) => v / temperature), m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function unknownScore(check, logits, features, temperature) {
  if (check.method === "energy") {
    const z = logits.map((v) => v / temperature), m = Math.max(...z);
    return -(temperature * (m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0))));
  }
  if (check.method === "maxlogit") return -Math.max(...logits);
  if (check.method === "msp") return 1 - Math.max(...softmax(logits, temperature));
  if (check.method === "mahalanobis") {  // to the nearest class mean, with the shared precision
    let best = Infinity;
    for (const mean of check.means) {
      const d = features.map((v, i) => v - mean[i]);
      let s = 0;
      for (let i = 0; i < d.length; i++) for (let j = 0; j < d.length; j++) s += d[i] * check.precision[i][j] * d[j];
      best = Math.min(best, s);
    }
    return best;
  }
  throw new Error(`unknown-input method ${check.method} is not known to this page`);
}

async function answer(input, dims) {
  const m = state.model;
  const tensor = new ort.Tensor(m.input.dtype, input, [1, ...dims]);
  const out = await state.session.run({ [m.input.name]: tensor });
  if (m.task === "regression") {  // model.onnx answers in the target's units; no check, as in neuroflow
    return { input: Array.from(input, Number), value: Number(out.prediction.data[0]), score: null, known: true };
  }
  const logits = Array.from(out.logits.data, Number);
  const probabilities = Array.from(out.probabilities.data, Number);
  const check = m.unknown || {};
  let score = null, known = true;
  if (check.method) {
    const features = check.space === "inputs" ? Array.from(input, Number) : out.features ? Array.from(out.features.data, Number) : null;
    score = unknownScore(check, logits, features, m.temperature);
    known = score <= check.threshold;
  }
  const top = probabilities.indexOf(Math.max(...probabilities));
  return { input: Array.from(input, Number), logits, probabilities, score, known, label: m.class_names[top] };
}

function clearAnswer() {
  $("verdict").textContent = "—"; $("verdict").className = "verdict";
  $("ood").textContent = ""; $("bars").innerHTML = ""; $("seen-box").hidden = true; showError(null);
}

// Python's format(v, ".4g"): `neuroflow predict` prints a regression answer so.
function fourDigits(v) {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const trim = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  const [mantissa, exponent] = v.toExponential(3).split("e"), e = Number(exponent);
  if (e >= -4 && e < 4) return trim(v.toFixed(3 - e));
  return `${trim(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

function showAnswer(a) {
  if (state.model.task === "regression") showNumber(a); else showBars(a);
  self.neuroflowAnswer = a;  // for the page's tests, and for anyone curious in the console
  document.body.dataset.answers = String(Number(document.body.dataset.answers || 0) + 1);
}

function showNumber(a) {
  $("verdict").textContent = `${state.model.target || "prediction"}: ${fourDigits(a.value)}`;
  $("verdict").className = "verdict";
  $("ood").textContent = "a number in the target's units; neuroflow checks for unknown inputs in classifiers only";
  $("bars").innerHTML = "";
}

function showBars(a) {
  const m = state.model;
  $("verdict").textContent = a.known ? a.label : `unknown — not like the training data (closest: ${a.label})`;
  $("verdict").className = "verdict" + (a.known ? "" : " unknown");
  $("ood").textContent = a.score === null ? "" :
    `unknown-input score ${a.score.toFixed(2)} against the threshold ${m.unknown.threshold.toFixed(2)}: ${a.known ? "known" : "unknown"}`;
  $("bars").innerHTML = "";
  m.class_names.forEach((name, i) => {
    const row = document.createElement("div");
    row.className = "bar" + (name === a.label ? " top" : "");
    row.innerHTML = `<span class="name"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>`;
    row.querySelector(".name").textContent = name;
    row.querySelector(".fill").style.width = `${(100 * a.probabilities[i]).toFixed(1)}%`;
    row.querySelector(".pct").textContent = `${(100 * a.probabilities[i]).toFixed(1)}%`;
    $("bars").append(row);
  });
}

function showSeen(input) {
  const [h, w, c] = state.model.input.shape;
  const canvas = $("seen"), ctx = canvas.getContext("2d");
  canvas.width = w; canvas.height = h;
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const rgb = c === 3 ? [input[3 * i], input[3 * i + 1], input[3 * i + 2]] : [input[i * c], input[i * c], input[i * c]];
    img.data.set([...rgb, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  $("seen-box").hidden = false;
}

async function predictPixels(rgba, width, height) {
  showError(null);
  const asked = ++state.asked;  // an older drawing's answer arriving late is dropped
  document.body.dataset.asked = String(asked);
  try {
    const prep = state.model.preprocessing;
    const input = P.preparePicture(rgba, width, height, prep);
    const a = await answer(input, [prep.height, prep.width, prep.channels]);
    if (asked !== state.asked) return;
    showAnswer(a); showSeen(input);
    document.body.dataset.answered = String(asked);
  } catch (err) { if (asked === state.asked) showError(err); }
}

// ---- the pad, as `neuroflow serve` draws ----

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
  const pad = $("pad");
  predictPixels(pad.getContext("2d").getImageData(0, 0, pad.width, pad.height).data, pad.width, pad.height);
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

// A dropped picture, decoded as it is stored: no colour management, no premultiplied alpha.
async function predictFile(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  } catch {
    clearAnswer();
    showError(`cannot read ${file.name}: this browser cannot decode it as a picture; give a PNG, JPEG, GIF, BMP or WebP`);
    return;
  }
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width; canvas.height = bitmap.height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  await predictPixels(ctx.getImageData(0, 0, bitmap.width, bitmap.height).data, bitmap.width, bitmap.height);
}

function setUpDrop() {
  const drop = $("drop");
  const send = (file) => file && predictFile(file);
  $("file").onchange = () => send($("file").files[0]);
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); send(e.dataTransfer.files[0]); });
}

// ---- table models: a form, prepared in the page from model.json ----

function buildRowForm(columns) {
  const box = $("row-fields");
  box.innerHTML = "";
  for (const col of columns) {
    const label = document.createElement("label");
    label.textContent = col.name + " ";
    const field = Object.assign(document.createElement("input"), { type: "text", name: col.name });
    if (col.kind === "numeric") Object.assign(field, { inputMode: "decimal", placeholder: "number or blank" });
    else {  // the categories it knows are offered; another one is allowed and counts as none of them
      const list = Object.assign(document.createElement("datalist"), { id: `cats-${box.children.length}` });
      for (const c of col.categories) list.append(new Option(c, c));
      field.setAttribute("list", list.id); field.placeholder = col.categories.join(", ");
      label.append(list);
    }
    field.dataset.column = col.name;
    label.append(field);
    box.append(label);
  }
  $("table-panel").addEventListener("submit", async (e) => {
    e.preventDefault(); showError(null);
    const values = {};
    for (const field of box.querySelectorAll("[data-column]")) values[field.dataset.column] = field.value.trim() || null;
    try {
      const input = P.prepareRow(values, state.model.preprocessing);
      showAnswer(await answer(input, [input.length]));
    } catch (err) { clearAnswer(); showError(err); }
  });
}

start().catch((err) => {
  const fromFile = location.protocol === "file:";
  setStatus(fromFile
    ? "this browser does not run the model from a file:// page; serve the folder (python -m http.server) and open it over http"
    : `the model did not load: ${err.message || err}`, true);
});
