// Training from the page: choose data, recipe, epochs and augmentation, follow the epochs live as a
// loss curve (server-sent events), stop it, and find the new model in the list when it ends.
"use strict";
const training = { upload: null, history: [], source: null };

async function setUpTraining() {
  const { datasets, recipes } = await api("/api/datasets");
  for (const [name, about] of Object.entries(datasets)) $("dataset").add(new Option(`${name} — ${about}`, name));
  $("dataset").add(new Option("your file (CSV or zip of class folders)…", "upload"));
  for (const [name, about] of Object.entries(recipes)) $("recipe").add(Object.assign(new Option(name, name), { title: about }));
  $("dataset").onchange = () => {
    $("upload-label").hidden = $("dataset").value !== "upload";
    $("target-label").hidden = !(training.upload && training.upload.kind === "csv" && $("dataset").value === "upload");
  };
  $("train-file").onchange = uploadFile;
  $("train-form").addEventListener("submit", (e) => { e.preventDefault(); startTraining(); });
  $("train-stop").onclick = () => api("/api/train/stop", { method: "POST" }).catch(showTrainError);
  drawCurve();
  const job = await api("/api/train");
  if (job.state === "running") follow();
}

function showTrainError(err) { $("train-status").textContent = String(err.message || err); }

async function uploadFile() {
  const file = $("train-file").files[0];
  if (!file) return;
  training.upload = null;
  $("train-status").textContent = `uploading ${file.name}…`;
  try {
    training.upload = await api(`/api/uploads?name=${encodeURIComponent(file.name)}`, { method: "POST", body: file,
      headers: { "Content-Type": "application/octet-stream" } });
    const target = $("target");
    target.innerHTML = "";
    for (const c of training.upload.columns || []) target.add(new Option(c, c));
    if (training.upload.columns) target.value = training.upload.columns[training.upload.columns.length - 1];
    $("target-label").hidden = training.upload.kind !== "csv";
    $("train-status").textContent = training.upload.kind === "csv" ? `${file.name}: choose the column to predict` :
      `${file.name}: classes ${training.upload.classes.join(", ")}`;
  } catch (err) { showTrainError(err); }
}

async function startTraining() {
  const body = { epochs: Number($("epochs").value), recipe: $("recipe").value || null, augment: $("augment").value.trim() || null };
  if ($("dataset").value === "upload") {
    if (!training.upload) return showTrainError("choose a file to train on first");
    Object.assign(body, { upload: training.upload.upload, target: training.upload.kind === "csv" ? $("target").value : null });
  } else {
    body.dataset = $("dataset").value;
  }
  try {
    await api("/api/train", { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
    if (body.upload) training.upload = null;
    follow();
  } catch (err) { showTrainError(err); }
}

function follow() {
  training.history = [];
  drawCurve();
  $("train-start").disabled = true; $("train-stop").disabled = false;
  $("train-status").textContent = "training started…";
  if (training.source) training.source.close();
  const source = (training.source = new EventSource("/api/train/events"));
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "epoch") {
      training.history.push(event);
      const acc = event.accuracy === undefined ? "" : ` — accuracy ${event.accuracy.toFixed(3)}`;
      $("train-status").textContent = `epoch ${event.epoch}/${event.epochs} — loss ${event.loss.toFixed(4)}${acc}`;
      drawCurve();
      return;
    }
    source.close();
    $("train-start").disabled = false; $("train-stop").disabled = true;
    if (event.type === "done") {
      $("train-status").textContent = `done: the new model '${event.model}' is in the list`;
      loadModels().catch(showError);
    } else if (event.type === "stopped") {
      $("train-status").textContent = "stopped; nothing was kept";
    } else if (event.type === "failed") {
      $("train-status").textContent = `training failed: ${event.message}`;
    }
  };
}

function drawCurve() {
  const canvas = $("curve"), ctx = canvas.getContext("2d");
  if (canvas.clientWidth > 0 && canvas.width !== canvas.clientWidth) {  // drawn at its size on screen, so the text stays sharp
    canvas.width = canvas.clientWidth; canvas.height = Math.round(canvas.clientWidth * 0.45);
  }
  const w = canvas.width, h = canvas.height, left = 46, bottom = 28, top = 12, right = 12;
  ctx.clearRect(0, 0, w, h);
  ctx.font = "12px system-ui, sans-serif"; ctx.fillStyle = "#5a6275"; ctx.strokeStyle = "#9aa3b5";
  ctx.strokeRect(left, top, w - left - right, h - top - bottom);
  const hist = training.history;
  if (!hist.length) { ctx.fillText("the loss curve appears here", left + 10, h / 2); return; }
  const epochs = Math.max(hist[0].epochs, 2);
  const losses = hist.flatMap((e) => [e.loss, e.val_loss]).filter((v) => Number.isFinite(v));
  const most = Math.max(...losses, 1e-6);
  const x = (epoch) => left + ((epoch - 1) / (epochs - 1)) * (w - left - right);
  const y = (v) => top + (1 - v / most) * (h - top - bottom);
  ctx.fillText(most.toFixed(2), 4, top + 10); ctx.fillText("0", 30, h - bottom);
  ctx.fillText(`epoch 1 … ${epochs}`, left + 4, h - 8);
  const series = [["loss", "#2952cc"], ["val_loss", "#e07b00"], ["accuracy", "#1b8a4b"]];
  series.forEach(([key, colour], n) => {
    const points = hist.filter((e) => Number.isFinite(e[key]));
    if (!points.length) return;
    const scale = key === "accuracy" ? (v) => top + (1 - v) * (h - top - bottom) : y;
    ctx.strokeStyle = colour; ctx.fillStyle = colour; ctx.lineWidth = 2; ctx.beginPath();
    points.forEach((e, i) => (i ? ctx.lineTo(x(e.epoch), scale(e[key])) : ctx.moveTo(x(e.epoch), scale(e[key]))));
    ctx.stroke();
    points.forEach((e) => ctx.fillRect(x(e.epoch) - 2, scale(e[key]) - 2, 4, 4));
    ctx.fillText(key, left + 110 + 80 * n, h - 8);  // the legend sits under the axis, clear of the lines
  });
  canvas.dataset.points = String(hist.length);
}

setUpTraining().catch(showTrainError);
