// Pictures and table rows prepared as neuroflow prepares them (neuroflow.data.pictures: images,
// prepare, digits; neuroflow.data.tables.prepare), so the page feeds model.onnx what
// `neuroflow predict` would. Needs image_ops.js and digit_finding.js loaded first.
"use strict";
(function (nf) {
  const { rint, reflect, greyOpening, label, dilateCross, erodeCross, percentile } = nf;
  const { resize, resizeReducing, BICUBIC, paperIsLight, findDigit } = nf;

  // A picture's RGB planes as neuroflow.data.pictures.images.to_array makes them: transparency
  // laid on a contrasting background (white under dark strokes, black under light ones).
  function toRGB(rgba, width, height) {
    const n = width * height;
    const planes = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
    let opaque = true;
    for (let i = 0; i < n; i++) if (rgba[4 * i + 3] !== 255) { opaque = false; break; }
    let background = 0;
    if (!opaque) {
      let ink = 0, weight = 0;
      for (let i = 0; i < n; i++) {
        const a = Math.fround(rgba[4 * i + 3] / 255);
        const luma = Math.fround(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
        ink += luma * a; weight += a;
      }
      background = weight > 0 && ink / weight >= 128 ? 0 : 255;
    }
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) {
      const v = rgba[4 * i + c];
      if (opaque) { planes[c][i] = v; continue; }
      const a = Math.fround(rgba[4 * i + 3] / 255);
      planes[c][i] = rint(v * a + background * (1 - a));
    }
    return planes;
  }

  // The picture in grey as Pillow makes it: L = (19595 R + 38470 G + 7471 B + 2^15) >> 16.
  function toGrey(rgba, width, height) {
    const [r, g, b] = toRGB(rgba, width, height);
    const grey = new Float32Array(width * height);
    for (let i = 0; i < grey.length; i++) grey[i] = (r[i] * 19595 + g[i] * 38470 + b[i] * 7471 + 0x8000) >> 16;
    return grey;
  }

  // neuroflow.data.pictures.images.prepare_crop, a pretrained network's preparation: colour, the
  // shorter side resized to prep.resize (Pillow's bicubic, reducing_gap=3.0), the centre cut out
  function prepareCrop(rgba, width, height, prep) {
    const H = prep.height, W = prep.width, scale = prep.resize / Math.min(width, height);
    const newH = Math.max(H, rint(height * scale)), newW = Math.max(W, rint(width * scale));
    const top = Math.floor((newH - H) / 2), left = Math.floor((newW - W) / 2);
    const out = new Uint8Array(H * W * 3);
    toRGB(rgba, width, height).forEach((plane, c) => {
      const same = newW === width && newH === height;
      const r = same ? plane : resizeReducing(plane, width, height, newW, newH, BICUBIC);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[(y * W + x) * 3 + c] = r[(top + y) * newW + left + x];
    });
    return out;
  }

  // ---- neuroflow.data.pictures.digits.prepare_digit ----

  const MNIST_BOX = 20, MNIST_SIZE = 28, STROKE_PX = 2.8;

  function shrink(grey, w, h, longest) {
    const factor = Math.ceil(Math.max(w, h) / longest);
    if (factor <= 1) return { grey, w, h };
    const ow = Math.floor(w / factor), oh = Math.floor(h / factor), out = new Float32Array(ow * oh);
    for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) s += grey[(y * factor + dy) * w + x * factor + dx];
      out[y * ow + x] = s / (factor * factor);
    }
    return { grey: out, w: ow, h: oh };
  }

  // the digit's ink, light on dark and cropped to its box, and its mask; null for an empty picture
  function digitStrokes(grey, w, h) {
    const found = findDigit(grey, w, h);
    if (found !== null) ({ grey, w, h } = found);
    if (paperIsLight(grey, w, h)) grey = grey.map((v) => 255 - v);
    const opened = greyOpening(grey, w, h, Math.max(3, Math.floor(Math.min(h, w) / 2)));
    const ink = grey.map((v, i) => v - opened[i]);
    const k = Math.max(1, Math.floor(Math.min(h, w) / 10));
    const top = Float32Array.from(ink).sort()[ink.length - k];
    if (top < 8) return null;
    let mask = ink.map((v) => (v > Math.fround(0.3 * top) ? 1 : 0));
    const { labels, sizes } = label(mask, w, h);
    if (sizes.length > 2) {
      const biggest = sizes.reduce((a, b) => Math.max(a, b), 0);
      mask = mask.map((m, i) => (m && sizes[labels[i]] >= 0.05 * biggest ? 1 : 0));
    }
    let y0 = h, y1 = -1, x0 = w, x1 = -1;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[y * w + x]) { y0 = Math.min(y0, y); y1 = y; x0 = Math.min(x0, x); x1 = Math.max(x1, x); }
    const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    const boxMask = new Uint8Array(bw * bh), boxInk = new Float32Array(bw * bh);
    for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) {
      boxMask[y * bw + x] = mask[(y + y0) * w + x + x0];
      boxInk[y * bw + x] = ink[(y + y0) * w + x + x0];
    }
    const near = dilateCross(boxMask, bw, bh, 2);
    const edge = Math.fround(0.15 * top);
    const kept = boxInk.map((v, i) => (near[i] && v > edge ? v : 0));
    const p90 = percentile(kept.filter((_, i) => boxMask[i]), 90);
    const gain = Math.fround(255 / Math.max(p90, 1e-6));
    const scaled = kept.map((v) => Math.min(255, Math.max(0, Math.fround(v * gain))));
    return { ink: scaled, mask: boxMask, w: bw, h: bh };
  }

  // widen a thin pen line so that, shrunk into 20×20, it is about as wide as an MNIST stroke
  function thicken(s) {
    let { ink, w, h } = s;
    const eroded = erodeCross(s.mask, w, h);
    let area = 0, edges = 0;
    for (let i = 0; i < s.mask.length; i++) { area += s.mask[i]; edges += s.mask[i] && !eroded[i] ? 1 : 0; }
    const width = (2 * area) / Math.max(edges, 1);
    const wanted = (STROKE_PX * Math.max(w, h)) / MNIST_BOX;
    let grow = rint((wanted - width) / 2);
    if (grow < 1) return s;
    const factor = Math.max(1, Math.floor(Math.max(w, h) / 160));
    if (factor > 1) {
      const ow = Math.floor(w / factor), oh = Math.floor(h / factor), small = new Float32Array(ow * oh);
      for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
        let m = -Infinity;
        for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) m = Math.max(m, ink[(y * factor + dy) * w + x * factor + dx]);
        small[y * ow + x] = m;
      }
      ink = small; w = ow; h = oh;
      grow = Math.max(1, rint(grow / factor));
    }
    const offsets = [];
    for (let dy = -grow; dy <= grow; dy++) for (let dx = -grow; dx <= grow; dx++) if (dy * dy + dx * dx <= grow * grow) offsets.push([dy, dx]);
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let m = -Infinity;
      for (const [dy, dx] of offsets) m = Math.max(m, ink[reflect(y + dy, h) * w + reflect(x + dx, w)]);
      out[y * w + x] = m;
    }
    return { ink: out, w, h };
  }

  // the ink fitted in 20×20 and centred by its mass in 28×28
  function centred(s) {
    const scale = MNIST_BOX / Math.max(s.w, s.h);
    const sw = Math.max(1, rint(s.w * scale)), sh = Math.max(1, rint(s.h * scale));
    const small = resize(s.ink, s.w, s.h, sw, sh, false).map((v) => Math.max(v, 0));
    let top = 0;
    for (const v of small) top = Math.max(top, v);
    const out = new Uint8Array(MNIST_SIZE * MNIST_SIZE);
    if (top <= 0) return out;
    const gain = Math.fround(255 / top);
    let mass = 0, my = 0, mx = 0;
    const lit = small.map((v) => Math.fround(v * gain));
    for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) { const v = lit[y * sw + x]; mass += v; my += v * y; mx += v * x; }
    const clip = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    const row = clip(rint(MNIST_SIZE / 2 - my / mass), 0, MNIST_SIZE - sh);
    const left = clip(rint(MNIST_SIZE / 2 - mx / mass), 0, MNIST_SIZE - sw);
    for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) out[(row + y) * MNIST_SIZE + left + x] = rint(lit[y * sw + x]);
    return out;
  }

  function prepareDigit(grey, w, h) {
    const shrunk = shrink(grey, w, h, 1024);
    const strokes = digitStrokes(shrunk.grey, shrunk.w, shrunk.h);
    return strokes === null ? new Uint8Array(MNIST_SIZE * MNIST_SIZE) : centred(thicken(strokes));
  }

  // neuroflow.data.pictures.prepare.prepare_for_model, for the page's picture preparations
  function preparePicture(rgba, width, height, prep) {
    const H = prep.height, W = prep.width, C = prep.channels;
    if (prep.prepare === "crop") return prepareCrop(rgba, width, height, prep);
    const out = new Uint8Array(H * W * C);
    if ((prep.prepare || "resize") === "digit") {
      let digit = prepareDigit(toGrey(rgba, width, height), width, height);
      if (H !== MNIST_SIZE || W !== MNIST_SIZE) digit = resize(digit, MNIST_SIZE, MNIST_SIZE, W, H, true);
      for (let i = 0; i < H * W; i++) for (let c = 0; c < C; c++) out[i * C + c] = digit[i];
      return out;
    }
    const planes = C === 1 ? [Uint8Array.from(toGrey(rgba, width, height))] : toRGB(rgba, width, height);
    planes.forEach((plane, c) => {
      const r = width === W && height === H ? plane : resizeReducing(plane, width, height, W, H);
      for (let i = 0; i < H * W; i++) out[i * C + c] = r[i];
    });
    return out;
  }

  // neuroflow.data.tables.prepare.transform for one row: {column: text or null} → features
  function prepareRow(values, prep) {
    const out = [];
    for (const c of prep.columns) {
      let v = values[c.name];
      const blank = v === null || v === undefined || String(v).trim() === "";
      if (c.kind === "numeric") {
        let x = c.mean;
        if (!blank) {
          x = Number(String(v).trim());
          if (!Number.isFinite(x)) throw new Error(`${c.name}: "${v}" is not a number; fix it or leave it blank`);
        }
        out.push((x - c.mean) / c.std);
      } else {
        v = blank ? null : String(v).trim();
        for (const cat of c.categories) out.push(v === cat ? 1 : 0);  // an unseen category: all zero
      }
      if (c.missing_indicator) out.push(blank ? 1 : 0);
    }
    return Float32Array.from(out);
  }

  Object.assign(nf, { toRGB, toGrey, prepareCrop, prepareDigit, preparePicture, prepareRow });
})(globalThis.NeuroflowPrepare = globalThis.NeuroflowPrepare || {});
