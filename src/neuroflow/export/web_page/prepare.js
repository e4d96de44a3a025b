// Pictures and table rows prepared as neuroflow prepares them (neuroflow.data.images, .digits and
// .digit_finding, .tabular), so the page feeds model.onnx what `neuroflow predict` would: a digit
// in a frame, on ruled paper or on a plaque is found first, as neuroflow finds it.
"use strict";
(function (root) {
  // Round half to even, as Python's round() and numpy's rint do.
  function rint(x) {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
  }

  // A picture (RGBA bytes) in grey as Pillow makes it: transparency laid on a contrasting
  // background, then L = (19595 R + 38470 G + 7471 B + 2^15) >> 16.
  function toGrey(rgba, width, height) {
    const n = width * height;
    const grey = new Float32Array(n);
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
    for (let i = 0; i < n; i++) {
      let r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
      if (!opaque) {
        const a = Math.fround(rgba[4 * i + 3] / 255);
        r = rint(r * a + background * (1 - a)); g = rint(g * a + background * (1 - a)); b = rint(b * a + background * (1 - a));
      }
      grey[i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }
    return grey;
  }

  // ---- scipy.ndimage's filters, as neuroflow.data.digits calls them ----

  // scipy's "reflect" border: d c b a | a b c d | d c b a
  function reflect(i, n) {
    const period = 2 * n;
    i = ((i % period) + period) % period;
    return i < n ? i : period - 1 - i;
  }

  // min (or max) over a window of `size` along rows then columns; the window starts `before`
  // pixels ahead of each pixel (van Herk / Gil-Werman: linear time whatever the size).
  function windowFilter(img, w, h, size, before, useMax) {
    const pick = useMax ? Math.max : Math.min;
    const line = (get, n, set) => {
      const m = n + size - 1;
      const p = new Float64Array(m), g = new Float64Array(m), s = new Float64Array(m);
      for (let k = 0; k < m; k++) p[k] = get(reflect(k - before, n));
      for (let k = 0; k < m; k++) g[k] = k % size === 0 ? p[k] : pick(g[k - 1], p[k]);
      for (let k = m - 1; k >= 0; k--) s[k] = k % size === size - 1 || k === m - 1 ? p[k] : pick(s[k + 1], p[k]);
      for (let i = 0; i < n; i++) set(i, size === 1 ? p[i] : pick(s[i], g[i + size - 1]));
    };
    const tmp = new Float32Array(w * h), out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) line((x) => img[y * w + x], w, (x, v) => { tmp[y * w + x] = v; });
    for (let x = 0; x < w; x++) line((y) => tmp[y * w + x], h, (y, v) => { out[y * w + x] = v; });
    return out;
  }

  // ndimage.grey_opening(img, size=size): erosion, then dilation (whose even window is shifted)
  function greyOpening(img, w, h, size) {
    const half = Math.floor(size / 2);
    const eroded = windowFilter(img, w, h, size, half, false);
    return windowFilter(eroded, w, h, size, size % 2 ? half : half - 1, true);
  }

  // ndimage.label with its default (4-connected) structure: labels 1..count, 0 for background
  function label(mask, w, h) {
    const labels = new Int32Array(w * h);
    const sizes = [0];
    const stack = [];
    for (let start = 0; start < w * h; start++) {
      if (!mask[start] || labels[start]) continue;
      const id = sizes.length;
      let count = 0;
      labels[start] = id; stack.push(start);
      while (stack.length) {
        const i = stack.pop(); count++;
        const x = i % w, y = (i - x) / w;
        const near = [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1];
        for (const j of near) if (j >= 0 && mask[j] && !labels[j]) { labels[j] = id; stack.push(j); }
      }
      sizes.push(count);
    }
    return { labels, sizes };
  }

  // binary dilation by the 4-connected cross, `iterations` times; outside the picture is empty
  function dilateCross(mask, w, h, iterations) {
    let cur = mask;
    for (let it = 0; it < iterations; it++) {
      const next = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const i = y * w + x;
        next[i] = cur[i] || (x > 0 && cur[i - 1]) || (x < w - 1 && cur[i + 1]) || (y > 0 && cur[i - w]) || (y < h - 1 && cur[i + w]) ? 1 : 0;
      }
      cur = next;
    }
    return cur;
  }

  // binary erosion by the cross; outside the picture counts as empty
  function erodeCross(mask, w, h) {
    const out = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = y * w + x;
      out[i] = mask[i] && x > 0 && mask[i - 1] && x < w - 1 && mask[i + 1] && y > 0 && mask[i - w] && y < h - 1 && mask[i + w] ? 1 : 0;
    }
    return out;
  }

  // numpy.percentile with linear interpolation
  function percentile(values, q) {
    const v = Float64Array.from(values).sort();
    const pos = (q / 100) * (v.length - 1), lo = Math.floor(pos), t = pos - lo;
    const hi = Math.min(lo + 1, v.length - 1), d = v[hi] - v[lo];
    return t >= 0.5 ? v[hi] - d * (1 - t) : v[lo] + d * t;
  }

  // ---- Pillow's resampling (Resample.c), Lanczos ----

  function sinc(x) { if (x === 0) return 1; x *= Math.PI; return Math.sin(x) / x; }
  function lanczos(x) { return x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0; }

  function coefficients(inSize, outSize) {
    const scale = inSize / outSize, filterscale = Math.max(scale, 1), support = 3 * filterscale;
    const out = [];
    for (let xx = 0; xx < outSize; xx++) {
      const center = (xx + 0.5) * scale, ss = 1 / filterscale;
      const xmin = Math.max(0, Math.trunc(center - support + 0.5));
      const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
      const k = new Float64Array(xmax);
      let ww = 0;
      for (let x = 0; x < xmax; x++) { k[x] = lanczos((x + xmin - center + 0.5) * ss); ww += k[x]; }
      if (ww !== 0) for (let x = 0; x < xmax; x++) k[x] /= ww;
      out.push({ xmin, k });
    }
    return out;
  }

  // One pass along x (or y): float pictures keep float32 sums; 8-bit ones use Pillow's 22-bit
  // fixed point, rounded and clipped.
  function resamplePass(img, w, h, outSize, horizontal, eightBit) {
    const coeffs = coefficients(horizontal ? w : h, outSize);
    const ow = horizontal ? outSize : w, oh = horizontal ? h : outSize;
    const out = eightBit ? new Uint8Array(ow * oh) : new Float32Array(ow * oh);
    const fixed = eightBit ? coeffs.map(({ xmin, k }) => ({ xmin, k: Array.from(k, (c) => (c < 0 ? Math.trunc(-0.5 + c * 4194304) : Math.trunc(0.5 + c * 4194304))) })) : coeffs;
    for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
      const { xmin, k } = fixed[horizontal ? x : y];
      let ss = eightBit ? 1 << 21 : 0;
      for (let t = 0; t < k.length; t++) {
        const v = horizontal ? img[y * w + xmin + t] : img[(xmin + t) * w + x];
        ss += v * k[t];
      }
      out[y * ow + x] = eightBit ? Math.min(255, Math.max(0, Math.floor(ss / 4194304))) : ss;
    }
    return out;
  }

  // Image.resize((outW, outH), Image.LANCZOS) of a float ("F") or 8-bit grey picture
  // (Pillow runs the vertical pass first for some sizes; the page always starts horizontally,
  // which can leave a pixel of a plainly resized picture one grey level off.)
  function resize(img, w, h, outW, outH, eightBit) {
    let cur = img, cw = w;
    if (outW !== w) { cur = resamplePass(cur, w, h, outW, true, eightBit); cw = outW; }
    if (outH !== h) cur = resamplePass(cur, cw, h, outH, false, eightBit);
    return cur;
  }

  // Image.reduce((fx, fy)): block means, a partial last block averaged over what it holds
  function reduce(img, w, h, fx, fy) {
    const ow = Math.ceil(w / fx), oh = Math.ceil(h / fy), out = new Uint8Array(ow * oh);
    for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
      let sum = 0, count = 0;
      for (let yy = y * fy; yy < Math.min(h, (y + 1) * fy); yy++) for (let xx = x * fx; xx < Math.min(w, (x + 1) * fx); xx++) { sum += img[yy * w + xx]; count++; }
      out[y * ow + x] = Math.floor((sum + count / 2) / count);
    }
    return { img: out, w: ow, h: oh };
  }

  // ---- neuroflow.data.digits.prepare_digit ----

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

  function median(values) {
    const v = Float64Array.from(values).sort(), n = v.length;
    return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

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


  // ---- neuroflow.data.digit_finding: the digit found in a frame, on ruled paper or a plaque ----

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

  // Image.resize(size, LANCZOS, reducing_gap=3.0) of an 8-bit picture (one channel)
  function resizeReducing(img, w, h, outW, outH) {
    const fx = Math.max(1, Math.trunc(w / outW / 3)), fy = Math.max(1, Math.trunc(h / outH / 3));
    if (fx > 1 || fy > 1) {
      const r = reduce(img, w, h, fx, fy);
      // the reduced picture is resampled over the box the original covered
      return resizeBox(r.img, r.w, r.h, outW, outH, w / fx, h / fy);
    }
    return resize(img, w, h, outW, outH, true);
  }

  function resizeBox(img, w, h, outW, outH, boxW, boxH) {
    const pass = (src, sw, sh, outSize, horizontal, inSize) => {
      const scale = inSize / outSize, filterscale = Math.max(scale, 1), support = 3 * filterscale;
      const n = horizontal ? sw : sh;
      const ow = horizontal ? outSize : sw, oh = horizontal ? sh : outSize, out = new Uint8Array(ow * oh);
      for (let o = 0; o < outSize; o++) {
        const center = (o + 0.5) * scale, ss = 1 / filterscale;
        const xmin = Math.max(0, Math.trunc(center - support + 0.5));
        const xmax = Math.min(n, Math.trunc(center + support + 0.5)) - xmin;
        const k = new Float64Array(xmax);
        let ww = 0;
        for (let x = 0; x < xmax; x++) { k[x] = lanczos((x + xmin - center + 0.5) * ss); ww += k[x]; }
        const kk = Array.from(k, (c) => { c = ww !== 0 ? c / ww : c; return c < 0 ? Math.trunc(-0.5 + c * 4194304) : Math.trunc(0.5 + c * 4194304); });
        const lines = horizontal ? sh : sw;
        for (let l = 0; l < lines; l++) {
          let acc = 1 << 21;
          for (let t = 0; t < xmax; t++) acc += (horizontal ? src[l * sw + xmin + t] : src[(xmin + t) * sw + l]) * kk[t];
          out[horizontal ? l * ow + o : o * ow + l] = Math.min(255, Math.max(0, Math.floor(acc / 4194304)));
        }
      }
      return out;
    };
    const a = pass(img, w, h, outW, true, boxW);
    return pass(a, outW, h, outH, false, boxH);
  }

  // neuroflow.data.images.prepare_for_model, for the page's picture preparations
  function preparePicture(rgba, width, height, prep) {
    const H = prep.height, W = prep.width, C = prep.channels;
    const out = new Uint8Array(H * W * C);
    if ((prep.prepare || "resize") === "digit") {
      let digit = prepareDigit(toGrey(rgba, width, height), width, height);
      if (H !== MNIST_SIZE || W !== MNIST_SIZE) digit = resize(digit, MNIST_SIZE, MNIST_SIZE, W, H, true);
      for (let i = 0; i < H * W; i++) for (let c = 0; c < C; c++) out[i * C + c] = digit[i];
      return out;
    }
    const planes = C === 1 ? [Uint8Array.from(toGrey(rgba, width, height))] : [0, 1, 2].map((c) => {
      const p = new Uint8Array(width * height);
      for (let i = 0; i < p.length; i++) p[i] = rgba[4 * i + c];
      return p;
    });
    planes.forEach((plane, c) => {
      const r = width === W && height === H ? plane : resizeReducing(plane, width, height, W, H);
      for (let i = 0; i < H * W; i++) out[i * C + c] = r[i];
    });
    return out;
  }

  // neuroflow.data.tabular.transform for one row: {column: text or null} → features
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

  const api = { preparePicture, prepareRow, prepareDigit, findDigit, toGrey, greyOpening, resize, rint };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.NeuroflowPrepare = api;
})(typeof self !== "undefined" ? self : this);
