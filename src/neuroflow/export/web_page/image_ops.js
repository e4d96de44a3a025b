// The image operations neuroflow's preparation uses, as scipy.ndimage and Pillow compute them
// (filters with scipy's borders, labelling, Pillow's Lanczos and bicubic resampling), for prepare.js.
"use strict";
(function (nf) {
  // Round half to even, as Python's round() and numpy's rint do.
  function rint(x) {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
  }

  // ---- scipy.ndimage's filters, as neuroflow.data.pictures.digits calls them ----

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

  // ---- Pillow's resampling (Resample.c): Lanczos, and bicubic (a = -0.5) ----

  function sinc(x) { if (x === 0) return 1; x *= Math.PI; return Math.sin(x) / x; }
  function lanczos(x) { return x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0; }
  function bicubic(x) {
    const a = -0.5;
    x = Math.abs(x);
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    return x < 2 ? (((x - 5) * x + 8) * x - 4) * a : 0;
  }
  // each filter with its support, as Resample.c's filter structs
  const LANCZOS = { f: lanczos, support: 3 }, BICUBIC = { f: bicubic, support: 2 };

  function coefficients(inSize, outSize, filter = LANCZOS) {
    const scale = inSize / outSize, filterscale = Math.max(scale, 1), support = filter.support * filterscale;
    const out = [];
    for (let xx = 0; xx < outSize; xx++) {
      const center = (xx + 0.5) * scale, ss = 1 / filterscale;
      const xmin = Math.max(0, Math.trunc(center - support + 0.5));
      const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
      const k = new Float64Array(xmax);
      let ww = 0;
      for (let x = 0; x < xmax; x++) { k[x] = filter.f((x + xmin - center + 0.5) * ss); ww += k[x]; }
      if (ww !== 0) for (let x = 0; x < xmax; x++) k[x] /= ww;
      out.push({ xmin, k });
    }
    return out;
  }

  // One pass along x (or y): float pictures keep float32 sums; 8-bit ones use Pillow's 22-bit
  // fixed point, rounded and clipped.
  function resamplePass(img, w, h, outSize, horizontal, eightBit, filter = LANCZOS) {
    const coeffs = coefficients(horizontal ? w : h, outSize, filter);
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

  // Image.resize((outW, outH), Image.LANCZOS) (or `filter`) of a float ("F") or 8-bit picture,
  // one channel (Pillow runs the vertical pass first for some sizes; the page always starts
  // horizontally, which can leave a pixel of a plainly resized picture one grey level off.)
  function resize(img, w, h, outW, outH, eightBit, filter = LANCZOS) {
    let cur = img, cw = w;
    if (outW !== w) { cur = resamplePass(cur, w, h, outW, true, eightBit, filter); cw = outW; }
    if (outH !== h) cur = resamplePass(cur, cw, h, outH, false, eightBit, filter);
    return cur;
  }

  // Image.reduce((fx, fy)): block means, a partial last block averaged over what it holds.
  // Reduce.c divides by multiplying by floor(2^32 / (256 n)) (a float) and shifting by 24, which
  // is one level low for some sums when n is not a power of two: done the same way here.
  function reduce(img, w, h, fx, fy) {
    const ow = Math.ceil(w / fx), oh = Math.ceil(h / fy), out = new Uint8Array(ow * oh);
    for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
      let sum = 0, count = 0;
      for (let yy = y * fy; yy < Math.min(h, (y + 1) * fy); yy++) for (let xx = x * fx; xx < Math.min(w, (x + 1) * fx); xx++) { sum += img[yy * w + xx]; count++; }
      const multiplier = Math.trunc(Math.fround(4294967296 / (256 * count)));
      out[y * ow + x] = Math.floor(((sum + Math.floor(count / 2)) * multiplier) / 16777216);
    }
    return { img: out, w: ow, h: oh };
  }

  function median(values) {
    const v = Float64Array.from(values).sort(), n = v.length;
    return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }


  // Image.resize(size, LANCZOS (or `filter`), reducing_gap=3.0) of an 8-bit picture (one
  // channel): a picture over three times the size is first reduced by a whole factor (block means)
  function resizeReducing(img, w, h, outW, outH, filter = LANCZOS) {
    const fx = Math.max(1, Math.trunc(w / outW / 3)), fy = Math.max(1, Math.trunc(h / outH / 3));
    if (fx > 1 || fy > 1) {
      const r = reduce(img, w, h, fx, fy);
      // the reduced picture is resampled over the box the original covered
      return resizeBox(r.img, r.w, r.h, outW, outH, w / fx, h / fy, filter);
    }
    return resize(img, w, h, outW, outH, true, filter);
  }

  function resizeBox(img, w, h, outW, outH, boxW, boxH, filter = LANCZOS) {
    const pass = (src, sw, sh, outSize, horizontal, inSize) => {
      const scale = inSize / outSize, filterscale = Math.max(scale, 1), support = filter.support * filterscale;
      const n = horizontal ? sw : sh;
      const ow = horizontal ? outSize : sw, oh = horizontal ? sh : outSize, out = new Uint8Array(ow * oh);
      for (let o = 0; o < outSize; o++) {
        const center = (o + 0.5) * scale, ss = 1 / filterscale;
        const xmin = Math.max(0, Math.trunc(center - support + 0.5));
        const xmax = Math.min(n, Math.trunc(center + support + 0.5)) - xmin;
        const k = new Float64Array(xmax);
        let ww = 0;
        for (let x = 0; x < xmax; x++) { k[x] = filter.f((x + xmin - center + 0.5) * ss); ww += k[x]; }
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


  Object.assign(nf, {
    rint, reflect, windowFilter, greyOpening, label, dilateCross, erodeCross, percentile, median,
    resize, resizeReducing, LANCZOS, BICUBIC,
  });
})(globalThis.NeuroflowPrepare = globalThis.NeuroflowPrepare || {});
