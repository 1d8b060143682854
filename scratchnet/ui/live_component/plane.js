// The input plane on a canvas: a probability grid drawn through a colour table, its 0.5 contour, axes and
// the data points. Used for the decision boundary (80×80) and the hidden-unit maps (40×40).
// (Concatenated before charts.js and live.js into the component's one ES module.)

const FONT = '14px "Source Sans Pro", "Source Sans 3", system-ui, sans-serif';
const INK = '#31333F';
const GRID_LINE = 'rgba(49,51,63,0.18)';

function hexRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// Three colours at 0, ½ and 1 → a 256-entry RGBA table.
function colorTable(stops) {
  const [a, m, b] = stops.map(hexRgb);
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const [p, q, u] = t < 0.5 ? [a, m, t * 2] : [m, b, t * 2 - 1];
    for (let c = 0; c < 3; c++) lut[i * 4 + c] = Math.round(p[c] + (q[c] - p[c]) * u);
    lut[i * 4 + 3] = 255;
  }
  return lut;
}

// Size a canvas's backing store to its CSS box (sharp on HiDPI); returns [ctx, width, height] in CSS px.
function fitCanvas(cv) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, cv.clientWidth), h = Math.max(1, cv.clientHeight);
  if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) {
    cv.width = Math.round(w * dpr);
    cv.height = Math.round(h * dpr);
  }
  const ctx = cv.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return [ctx, w, h];
}

// "Nice" tick values covering [lo, hi] (about n of them).
function niceTicks(lo, hi, n) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, n);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw) || 10 * mag;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

function tickLabel(t) {
  const a = Math.abs(t);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return t.toExponential(0);
  return String(Number(t.toPrecision(4)));
}

// A w×h offscreen canvas and its pixel buffer, kept in `cache` and made again only when the size changes.
function offscreen(cache, w, h) {
  if (!cache.canvas || cache.canvas.width !== w || cache.canvas.height !== h) {
    cache.canvas = document.createElement('canvas');
    cache.canvas.width = w;
    cache.canvas.height = h;
    cache.ctx = cache.canvas.getContext('2d');
    cache.img = cache.ctx.createImageData(w, h);
  }
}

// The w×h byte grid starting at grid[from] into the image's pixels from pixel `at`, through a colour table and
// flipped (row 0 = lowest y). Also paints the diagram's node maps (diagram.js mapsImage).
function paintFlipped(px, at, grid, from, w, h, lut) {
  for (let r = 0; r < h; r++) {
    const src = from + (h - 1 - r) * w;
    let o = (at + r * w) * 4;
    for (let c = 0; c < w; c++, o += 4) {
      const v = grid[src + c] * 4;
      px[o] = lut[v];
      px[o + 1] = lut[v + 1];
      px[o + 2] = lut[v + 2];
      px[o + 3] = 255;
    }
  }
}

// The grid as an image, on a reusable offscreen canvas.
function gridImage(cache, grid, w, h, lut) {
  offscreen(cache, w, h);
  paintFlipped(cache.img.data, 0, grid, 0, w, h, lut);
  cache.ctx.putImageData(cache.img, 0, 0);
  return cache.canvas;
}

// The boundary's dark line(s), drawn by `draw`, clipped to the plot box.
function strokeInside(ctx, box, width, draw) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.l, box.t, box.w, box.h);
  ctx.clip();
  ctx.strokeStyle = '#1A1A1A';
  ctx.lineWidth = width;
  draw();
  ctx.restore();
}

// A [1 2 1]/4 blur in both directions: where P is nearly flat, whole plateaus of cells quantise to the same
// byte and the 0.5 line would come out as a staircase; smoothed, it is drawn where the field really crosses.
function smoothed(grid, w, h, buf) {
  const tmp = buf.tmp && buf.tmp.length === w * h ? buf.tmp : (buf.tmp = new Float32Array(w * h));
  const out = buf.out && buf.out.length === w * h ? buf.out : (buf.out = new Float32Array(w * h));
  for (let r = 0; r < h; r++) {
    const o = r * w;
    for (let c = 0; c < w; c++) {
      tmp[o + c] = (grid[o + Math.max(c - 1, 0)] + 2 * grid[o + c] + grid[o + Math.min(c + 1, w - 1)]) / 4;
    }
  }
  for (let r = 0; r < h; r++) {
    const up = Math.max(r - 1, 0) * w, o = r * w, dn = Math.min(r + 1, h - 1) * w;
    for (let c = 0; c < w; c++) out[o + c] = (tmp[up + c] + 2 * tmp[o + c] + tmp[dn + c]) / 4;
  }
  return out;
}

// Marching squares: the segments where the grid crosses `level`, in grid units (x = column, y = row).
function contourPath(ctx, grid, w, h, level, toX, toY) {
  ctx.beginPath();
  const xs = [0, 0, 0, 0], ys = [0, 0, 0, 0];
  for (let r = 0; r + 1 < h; r++) {
    for (let c = 0; c + 1 < w; c++) {
      const a = grid[r * w + c], b = grid[r * w + c + 1], d = grid[(r + 1) * w + c], e = grid[(r + 1) * w + c + 1];
      const sa = a > level, sb = b > level, sd = d > level, se = e > level;
      if (sa === sb && sb === sd && sd === se) continue;
      let k = 0;
      if (sa !== sb) { xs[k] = c + (level - a) / (b - a); ys[k++] = r; }
      if (sb !== se) { xs[k] = c + 1; ys[k++] = r + (level - b) / (e - b); }
      if (se !== sd) { xs[k] = c + (level - d) / (e - d); ys[k++] = r + 1; }
      if (sd !== sa) { xs[k] = c; ys[k++] = r + (level - a) / (d - a); }
      for (let i = 0; i + 1 < k; i += 2) {
        ctx.moveTo(toX(xs[i]), toY(ys[i]));
        ctx.lineTo(toX(xs[i + 1]), toY(ys[i + 1]));
      }
    }
  }
  ctx.stroke();
}

function darker(hex, f) {
  return 'rgb(' + hexRgb(hex).map((c) => Math.round(c * f)).join(',') + ')';
}

// One point: class 0 a circle, class 1 a triangle, more classes as regions.js's classShape; train filled with
// a dark rim, test open (white inside).
function drawPoint(ctx, x, y, cls, test, colors, r) {
  ctx.beginPath();
  if (cls === 0) ctx.arc(x, y, r, 0, 2 * Math.PI);
  else if (cls > 1) classShape(ctx, x, y, cls, r);
  else {
    const t = r * 1.25;
    ctx.moveTo(x, y - t);
    ctx.lineTo(x + t * 0.95, y + t * 0.7);
    ctx.lineTo(x - t * 0.95, y + t * 0.7);
    ctx.closePath();
  }
  if (test) {
    ctx.fillStyle = '#FFFFFF';
    ctx.fill();
    ctx.lineWidth = Math.max(1.5, r * 0.4);
    ctx.strokeStyle = darker(colors[cls], 0.7);
  } else {
    ctx.fillStyle = colors[cls];
    ctx.fill();
    ctx.lineWidth = 0.8;
    ctx.strokeStyle = '#222222';
  }
  ctx.stroke();
}

// Where the plot area sits in a canvas of w × h CSS px, and how plane coordinates map into it.
function planeBox(meta, w, h, axes) {
  const m = axes ? { l: 54, r: 10, t: 10, b: 46 } : { l: 2, r: 2, t: 2, b: 2 };
  const box = { l: m.l, t: m.t, w: Math.max(10, w - m.l - m.r), h: Math.max(10, h - m.t - m.b) };
  const [x0, x1] = meta.x, [y0, y1] = meta.y;
  box.px = (x) => box.l + ((x - x0) / (x1 - x0)) * box.w;
  box.py = (y) => box.t + (1 - (y - y0) / (y1 - y0)) * box.h;
  return box;
}

// A slice of more than two features: each point's opacity (one byte, sent once with the meta), and the order
// to draw them in, faintest first, so the points near the slice are on top. Decoded once per meta.
function bytes(b64) {
  const text = atob(b64), a = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) a[i] = text.charCodeAt(i);
  return a;
}

function pointAlpha(meta) {
  const b64 = meta.points.alpha;
  if (!b64) return null;
  if (!meta.alphaBytes) {
    const a = bytes(b64);
    const order = Array.from(a.keys()).sort((p, q) => a[p] - a[q] || p - q);
    meta.alphaBytes = { a, order, faded: a.filter((x) => x < 255).length };
  }
  return meta.alphaBytes;
}

// Axes, tick labels and points: they do not change while a run plays, so they are drawn once per size.
function drawPlaneStatic(layer, meta, w, h, axes, pointRadius, showTest) {
  const dpr = window.devicePixelRatio || 1;
  layer.width = Math.round(w * dpr);
  layer.height = Math.round(h * dpr);
  const ctx = layer.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const box = planeBox(meta, w, h, axes);
  const pts = meta.points;
  const alpha = pointAlpha(meta);
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.l, box.t, box.w, box.h);
  ctx.clip();
  for (const i of alpha ? alpha.order : pts.x.keys()) {
    if (pts.x[i] === null || pts.y[i] === null || (pts.test[i] && !showTest)) continue;
    if (alpha) ctx.globalAlpha = alpha.a[i] / 255;
    drawPoint(ctx, box.px(pts.x[i]), box.py(pts.y[i]), pts.c[i], pts.test[i], meta.colors, pointRadius);
  }
  ctx.restore();
  ctx.strokeStyle = 'rgba(49,51,63,0.55)';
  ctx.lineWidth = 1;
  ctx.strokeRect(box.l + 0.5, box.t + 0.5, box.w - 1, box.h - 1);
  if (!axes) return;
  ctx.font = FONT;
  ctx.fillStyle = INK;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(meta.x[0], meta.x[1], Math.max(2, Math.floor(box.w / 90)))) {
    const x = box.px(t);
    ctx.fillRect(x, box.t + box.h, 1, 5);
    ctx.fillText(tickLabel(t), x, box.t + box.h + 7);
  }
  ctx.fillText(meta.xlabel, box.l + box.w / 2, box.t + box.h + 26);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of niceTicks(meta.y[0], meta.y[1], Math.max(2, Math.floor(box.h / 70)))) {
    const y = box.py(t);
    ctx.fillRect(box.l - 5, y, 5, 1);
    ctx.fillText(tickLabel(t), box.l - 7, y);
  }
  ctx.save();
  ctx.translate(14, box.t + box.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText(meta.ylabel, 0, 0);
  ctx.restore();
}

// The whole plane for one grid: colours, the 0.5 line, then the cached axes and points on top.
// With opts.overlay (a canvas laid over `cv`), the axes and points live there and are drawn once per size:
// a new frame then repaints only the colours and the line.
function drawPlane(cv, st, grid, gw, gh, opts) {
  const [ctx, w, h] = fitCanvas(cv);
  const meta = st.meta;
  if (!st.layer || st.layerKey !== `${w}x${h}x${st.metaId}`) {
    st.layer = opts.overlay || st.layer || document.createElement('canvas');
    drawPlaneStatic(st.layer, meta, w, h, opts.axes, opts.pointRadius, opts.showTest !== false);
    st.layerKey = `${w}x${h}x${st.metaId}`;
  }
  const box = planeBox(meta, w, h, opts.axes);
  ctx.clearRect(0, 0, w, h);
  if (grid && opts.k > 2) { // K classes: the grid is two planes (regions.js), gh rows of classes then of probabilities
    const rows = gh / 2;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(regionImage(st.cache || (st.cache = {}), grid, gw, rows, opts.regionLut, opts.k), box.l, box.t, box.w, box.h);
    strokeInside(ctx, box, opts.contour, () => regionBorders(ctx, grid, gw, rows, opts.k,
      (c) => box.l + (c / (gw - 1)) * box.w, (r) => box.t + (1 - r / (rows - 1)) * box.h, st.smooth || (st.smooth = {})));
  } else if (grid) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(gridImage(st.cache || (st.cache = {}), grid, gw, gh, opts.lut), box.l, box.t, box.w, box.h);
    if (opts.contour) {
      strokeInside(ctx, box, opts.contour, () => contourPath(ctx, smoothed(grid, gw, gh, st.smooth || (st.smooth = {})),
        gw, gh, 127.5, (c) => box.l + (c / (gw - 1)) * box.w, (r) => box.t + (1 - r / (gh - 1)) * box.h));
    }
  }
  const dpr = window.devicePixelRatio || 1;
  if (!opts.overlay) ctx.drawImage(st.layer, 0, 0, st.layer.width / dpr, st.layer.height / dpr);
  if (opts.message) {
    ctx.font = FONT;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    const tw = ctx.measureText(opts.message).width;
    ctx.fillRect(box.l + box.w / 2 - tw / 2 - 8, box.t + box.h / 2 - 14, tw + 16, 28);
    ctx.fillStyle = INK;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(opts.message, box.l + box.w / 2, box.t + box.h / 2);
  }
}

// Hovering the live plane names the point under the pointer: its split and class, its two drawn values (a
// spread-out feature by its level) and, on a slice, how far its other features lie from their means. Only
// pointer moves cost anything; nothing here runs per frame.

function planeHover(v) {
  const tip = el('div', 'sn-tip', v.plot, { role: 'tooltip', 'data-testid': 'sn-tip' });
  tip.hidden = true;
  const level = (jit, x) => (jit ? jit.levels.reduce((a, b) => (Math.abs(b - x) < Math.abs(a - x) ? b : a)) : x);
  v.boundary.addEventListener('pointerleave', () => { tip.hidden = true; });
  v.boundary.addEventListener('pointermove', (e) => {
    const m = v.meta;
    if (!m) return;
    const r = v.boundary.getBoundingClientRect(), box = planeBox(m, r.width, r.height, true);
    const mx = e.clientX - r.left, my = e.clientY - r.top, pts = m.points;
    let best = -1, bestD = 81; // within 9 px
    for (let i = 0; i < pts.x.length; i++) {
      if (pts.x[i] === null || pts.y[i] === null || (pts.test[i] && v.show && v.show.test === false)) continue;
      const d = (box.px(pts.x[i]) - mx) ** 2 + (box.py(pts.y[i]) - my) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    }
    tip.hidden = best < 0;
    if (best < 0) return;
    const [jx, jy] = pts.jitter || [null, null];
    const lines = [`${pts.test[best] ? 'test' : 'train'} · ${m.class_names[pts.c[best]]}`,
      `${m.xname} = ${tickLabel(level(jx, pts.x[best]))}`, `${m.yname} = ${tickLabel(level(jy, pts.y[best]))}`];
    if (pts.dist) {
      if (!m.distBytes) m.distBytes = bytes(pts.dist);
      lines.push(`other features: ${(m.distBytes[best] * pts.dist_step).toFixed(1)} SD from their means`);
    }
    tip.textContent = lines.join('\n');
    tip.style.left = `${Math.max(0, Math.min(mx + 12, r.width - tip.offsetWidth - 4))}px`;
    tip.style.top = `${Math.max(0, my - tip.offsetHeight - 10)}px`;
  });
}

// What the plane on screen draws, for a student's tooltip and for tests: the features (in full), how many
// points are drawn and how many faded (a slice of more than two features).
function planeAttrs(v) {
  const m = v.meta, alpha = pointAlpha(m);
  v.attrMeta = v.metaId;
  setAttr(v.root, 'data-x-axis', m.xname);
  setAttr(v.root, 'data-y-axis', m.yname);
  setAttr(v.root, 'data-x-title', m.xlabel);
  setAttr(v.root, 'data-y-title', m.ylabel);
  setAttr(v.root, 'data-points', String(m.points.x.length));
  setAttr(v.root, 'data-faded', String(alpha ? alpha.faded : 0));
  const label = `${m.k > 2 ? `Decision regions of ${m.k} classes` : 'Decision boundary'} over ${m.xname} (across) and ${m.yname} (up)`;
  v.planeLabel = label; // speak() adds the iteration and accuracy on screen
  setAttr(v.plot, 'title', m.tip ? `${label}.\n${m.tip}` : label);
}

function buildLegend(v) {
  const m = v.meta;
  const items = [];
  const SHAPES = ['●', '▲', '■', '◆', '✚', '★'], OPEN = ['○', '△', '□', '◇', '✚', '☆'];
  for (const test of m.points.test.some(Boolean) && (!v.show || v.show.test !== false) ? [0, 1] : [0]) {
    for (let c = 0; c < m.classes.length; c++) {
      const shape = SHAPES[c % SHAPES.length];
      const open = OPEN[c % OPEN.length];
      const split = test ? 'test' : 'train';
      items.push([test ? open : shape, m.colors[c], `${split} · ${m.classes[c]}`, `${split} · ${m.class_names[c]}`]);
    }
  }
  v.legend.replaceChildren(...items.map(([sym, color, text, full]) => {
    const span = el('span', '', null, { title: full });
    const dot = el('span', 'sn-sym', span);
    dot.textContent = sym;
    dot.style.color = color;
    span.appendChild(document.createTextNode(' ' + text));
    return span;
  }));
  if (m.note) v.legend.appendChild(el('span', 'sn-note', null, { title: m.tip, 'data-testid': 'sn-slice-note' })).textContent = m.note;
  const spread = (m.points.jitter || []).map((j, k) => j && `${[m.xname, m.yname][k]} ±${j.spread}`).filter(Boolean);
  if (spread.length) {
    v.legend.appendChild(el('span', 'sn-note', null, { title: 'Points are moved a little at random around their value (only in this picture), so hundreds of them do not sit on one spot' })).textContent = `points spread: ${spread.join(', ')}`;
  }
  if (m.points.of > m.points.x.length) {
    v.legend.appendChild(el('span', 'sn-note')).textContent = `showing ${fmtIter(m.points.x.length)} of ${fmtIter(m.points.of)} points`;
  }
}
