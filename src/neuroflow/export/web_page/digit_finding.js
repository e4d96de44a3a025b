// neuroflow.data.pictures.digit_finding in the page: the digit found in a frame, on ruled or squared paper,
// on a plaque or beside a shadow, and put on plain paper before it is prepared.
"use strict";
(function (nf) {
  const { rint, label, dilateCross, erodeCross, median } = nf;

  // the ink is darker than the paper, which is what the picture's border mostly shows
  function paperIsLight(grey, w, h) {
    const ring = Math.max(1, rint(0.04 * Math.min(h, w)));
    const border = [];
    for (let y = 0; y < ring; y++) for (let x = 0; x < w; x++) border.push(grey[y * w + x]);
    for (let y = h - ring; y < h; y++) for (let x = 0; x < w; x++) border.push(grey[y * w + x]);
    for (let y = 0; y < h; y++) for (let x = 0; x < ring; x++) border.push(grey[y * w + x]);
    for (let y = 0; y < h; y++) for (let x = w - ring; x < w; x++) border.push(grey[y * w + x]);
    const paper = median(border);
    let lo = Infinity, hi = -Infinity;
    for (const v of grey) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    return paper - lo > hi - paper;
  }


  const LINE_SPAN = 0.85, FRAME_SPAN = 0.8, NEAR = 0.3;

  function otsu(values) {
    const hist = new Float64Array(256);
    for (const v of values) hist[Math.trunc(Math.min(255, Math.max(0, v)))]++;
    const total = values.length;
    let omega = 0, mu = 0;
    const omegas = new Float64Array(256), mus = new Float64Array(256);
    for (let i = 0; i < 256; i++) { const p = hist[i] / total; omega += p; mu += p * i; omegas[i] = omega; mus[i] = mu; }
    let best = -Infinity, level = 0;
    for (let i = 0; i < 255; i++) {
      const between = (mus[255] * omegas[i] - mus[i]) ** 2 / Math.max(omegas[i] * (1 - omegas[i]), 1e-12);
      if (between > best) { best = between; level = i; }
    }
    return level;
  }

  // pixels on horizontal or vertical runs across most of the picture (a binary opening by a line)
  function ruledLines(mask, w, h) {
    const out = new Uint8Array(w * h);
    const runs = (n, m, at, span) => {
      for (let a = 0; a < m; a++) {
        let start = 0;
        for (let b = 0; b <= n; b++) {
          if (b < n && mask[at(a, b)]) continue;
          if (b - start >= span) for (let c = start; c < b; c++) out[at(a, c)] = 1;
          start = b + 1;
        }
      }
    };
    runs(w, h, (y, x) => y * w + x, rint(LINE_SPAN * w));
    runs(h, w, (x, y) => y * w + x, rint(LINE_SPAN * h));
    return out;
  }

  function boxesOf(labels, count, w, h) {
    const boxes = Array.from({ length: count }, () => ({ y0: h, y1: 0, x0: w, x1: 0 }));
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const l = labels[y * w + x];
      if (!l) continue;
      const b = boxes[l - 1];
      b.y0 = Math.min(b.y0, y); b.y1 = Math.max(b.y1, y + 1); b.x0 = Math.min(b.x0, x); b.x1 = Math.max(b.x1, x + 1);
    }
    return boxes;
  }

  const inside = (n, o) => o.y0 < n.y0 && n.y1 < o.y1 && o.x0 < n.x0 && n.x1 < o.x1;

  function holdsOther(i, boxes, sizes) {
    for (let j = 0; j < boxes.length; j++) if (j !== i && sizes[j] >= 0.1 * sizes[i] && inside(boxes[j], boxes[i])) return true;
    return false;
  }

  function contextLike(w, h, i, boxes, sizes) {
    const b = boxes[i], bh = b.y1 - b.y0, bw = b.x1 - b.x0;
    const touches = b.y0 === 0 || b.x0 === 0 || b.y1 === h || b.x1 === w;
    if (touches && (bh >= FRAME_SPAN * h || bw >= FRAME_SPAN * w)) return true;
    if (bh >= 0.5 * h && bw >= 0.5 * w && sizes[i] / (bh * bw) > 0.75) return true;
    return bh >= FRAME_SPAN * h && bw >= FRAME_SPAN * w && holdsOther(i, boxes, sizes);
  }

  function thickness(labels, w, b, id) {
    const bw = b.x1 - b.x0, bh = b.y1 - b.y0, part = new Uint8Array(bw * bh);
    for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) part[y * bw + x] = labels[(y + b.y0) * w + x + b.x0] === id ? 1 : 0;
    const eroded = erodeCross(part, bw, bh);
    let area = 0, outline = 0;
    for (let k = 0; k < part.length; k++) { area += part[k]; outline += part[k] && !eroded[k] ? 1 : 0; }
    return (2 * area) / Math.max(outline, 1);
  }

  function digitLike(labels, w, h, i, boxes, sizes) {
    const b = boxes[i], bh = b.y1 - b.y0, bw = b.x1 - b.x0;
    if (b.y0 === 0 || b.x0 === 0 || b.y1 === h || b.x1 === w) return false;
    if (bh < 0.1 * h || sizes[i] < 0.001 * h * w) return false;
    if (sizes[i] / (bh * bw) > 0.7 && Math.min(bh, bw) > 0.4 * Math.max(bh, bw)) return false;
    if (thickness(labels, w, b, i + 1) > 0.25 * Math.max(bh, bw)) return false;
    return !holdsOther(i, boxes, sizes);
  }

  function near(box, main) {
    const py = NEAR * (main.y1 - main.y0), px = NEAR * (main.x1 - main.x0);
    return inside(box, { y0: main.y0 - py - 1, y1: main.y1 + py + 1, x0: main.x0 - px - 1, x1: main.x1 + px + 1 });
  }

  function readDigit(grey, w, h, darkInk) {
    const ink = darkInk ? grey.map((v) => 255 - v) : grey;
    const level0 = median(ink) + 25;
    let lines = ruledLines(ink.map((v) => (v > level0 ? 1 : 0)), w, h);
    let level;
    if (lines.some((v) => v)) {
      const rule = median(ink.filter((_, i) => lines[i]));
      lines = dilateCross(lines, w, h, 1);
      level = otsu(ink.filter((_, i) => !lines[i]));
      const pen = ink.filter((v, i) => !lines[i] && v > level);
      if (pen.length) {
        const cut = (rule + median(pen)) / 2;
        lines = lines.map((v, i) => (v && ink[i] < cut ? 1 : 0));
      }
    } else level = otsu(ink);
    let top = -Infinity;
    for (const v of ink) top = Math.max(top, v);
    if (top - level < 20) return null;
    const anyLines = lines.some((v) => v);
    const mask = ink.map((v, i) => (v > level && !lines[i] ? 1 : 0));
    const { labels, sizes: counted } = label(mask, w, h);
    const count = counted.length - 1, sizes = counted.slice(1);
    if (count === 0) return { digit: null, lines, context: anyLines };
    const boxes = boxesOf(labels, count, w, h);
    let context = anyLines;
    for (let i = 0; i < count && !context; i++) context = contextLike(w, h, i, boxes, sizes);
    const candidates = [];
    for (let i = 0; i < count; i++) if (digitLike(labels, w, h, i, boxes, sizes)) candidates.push(i);
    if (!candidates.length) return { digit: null, lines, context };
    let main = candidates[0];
    for (const i of candidates) if (sizes[i] > sizes[main]) main = i;
    const group = new Set(candidates.filter((i) => near(boxes[i], boxes[main])).map((i) => i + 1));
    return { digit: labels.map((l) => (group.has(l) ? 1 : 0)), lines, context };
  }

  // the digit's pixels (and a little soft edge, without the rules) on paper of one level, in a
  // box with a margin of a quarter of its size
  function onPlainPaper(grey, w, h, found, darkInk) {
    const grow = Math.max(2, rint(0.015 * Math.min(h, w)));
    const keep = dilateCross(found.digit, w, h, grow).map((v, i) => (v && !found.lines[i] ? 1 : 0));
    let y0 = h, y1 = 0, x0 = w, x1 = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (keep[y * w + x]) { y0 = Math.min(y0, y); y1 = y + 1; x0 = Math.min(x0, x); x1 = Math.max(x1, x + 1); }
    const around = dilateCross(keep, w, h, grow).map((v, i) => (v && !keep[i] && !found.lines[i] ? 1 : 0));
    const paperPixels = grey.filter((_, i) => around[i]);
    const paper = paperPixels.length ? median(paperPixels) : darkInk ? 255 : 0;
    const pad = Math.floor(Math.max(y1 - y0, x1 - x0) / 4);
    const ow = x1 - x0 + 2 * pad, oh = y1 - y0 + 2 * pad, out = new Float32Array(ow * oh).fill(paper);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out[(y - y0 + pad) * ow + x - x0 + pad] = keep[y * w + x] ? grey[y * w + x] : paper;
    return { grey: out, w: ow, h: oh };
  }

  // the picture with only the digit on plain paper, cropped around it; null when there is no
  // frame, line, border or plaque to take away
  function findDigit(grey, w, h) {
    if (Math.min(w, h) < 16) return null;
    let darkInk = paperIsLight(grey, w, h);
    let found = readDigit(grey, w, h, darkInk);
    if (found === null || !found.context) return null;
    if (found.digit === null) {
      darkInk = !darkInk;
      found = readDigit(grey, w, h, darkInk);
      if (found === null || found.digit === null) return null;
    }
    return onPlainPaper(grey, w, h, found, darkInk);
  }


  Object.assign(nf, { paperIsLight, findDigit });
})(globalThis.NeuroflowPrepare = globalThis.NeuroflowPrepare || {});
