// Line charts on a canvas: loss (train / test) and gradient norms per tensor against iteration, with the
// iterations where α changed marked. Hand-written and small: one redraw is a few polylines.

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

function powerLabel(k) {
  if (k >= -2 && k <= 2) return String(Number(Math.pow(10, k).toPrecision(1)));
  return '10' + String(k).split('').map((ch) => SUPERSCRIPT[ch]).join('');
}

// 12345 → "12,345" (toLocaleString is slow enough to show in a profile at 40 frames a second)
function fmtIter(t) {
  return String(Math.round(t)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// Visible y-range of the lines over t < limit; log charts ignore values ≤ 0.
function yRange(lines, cols, limit, log) {
  let lo = Infinity, hi = -Infinity;
  for (const line of lines) {
    const ys = cols[line.key];
    if (!ys) continue;
    const n = Math.min(limit, ys.length);
    for (let t = 0; t < n; t++) {
      const y = ys[t];
      if (y === null || (log && !(y > 0))) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  }
  return hi >= lo ? [lo, hi] : null;
}

// A polyline of ys[0 … limit) with at most two points per pixel column (its min and max), so a
// 10,000-iteration run costs what a 1,000-iteration one does and a spike is never dropped.
function strokeSeries(ctx, ys, limit, px, py, log) {
  ctx.beginPath();
  let pen = false, col = NaN, lo = 0, hi = 0;
  const flush = () => {
    if (Number.isNaN(col)) return;
    if (pen) ctx.lineTo(col, lo); else ctx.moveTo(col, lo);
    if (hi !== lo) ctx.lineTo(col, hi);
    pen = true;
  };
  const n = Math.min(limit, ys.length);
  for (let t = 0; t < n; t++) {
    const y = ys[t];
    if (y === null || (log && !(y > 0))) { flush(); col = NaN; pen = false; continue; }
    const x = Math.round(px(t)), v = py(y);
    if (x !== col) { flush(); col = x; lo = v; hi = v; } else { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  flush();
  ctx.stroke();
}

// The title on one line if it fits, else its short form (spec.short) if that does, else wrapped at spaces: the
// whole title always reads (a chart beside the diagram is ~230 px wide on a laptop).
function titleLines(ctx, spec, room) {
  for (const t of [spec.title, spec.short]) if (t && ctx.measureText(t).width <= room) return [t];
  const lines = [];
  let line = '';
  for (const word of (spec.short || spec.title).split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > room) { lines.push(line); line = word; } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

// spec: {title, short?, log, lines: [{key, label, color, width, dash}]}; data: {cols, limit, xmax, marks: [[t, text]],
// marker: t | null, empty: text}
function drawChart(cv, spec, data) {
  const [ctx, w, h] = fitCanvas(cv);
  ctx.clearRect(0, 0, w, h);
  // legend beside the title when both fit on one line, else on lines of their own (as many as it takes: W2's
  // K rows make a long one on a laptop)
  ctx.font = FONT;
  const shown = spec.lines.filter((l) => data.cols[l.key] && data.cols[l.key].some((y) => y !== null));
  const rows = [];
  let row = [], rowW = 0;
  for (const line of shown) {
    const iw = ctx.measureText(line.label).width + 38;
    if (row.length && rowW + iw > w - 14) { rows.push(row); row = []; rowW = 0; }
    row.push(line);
    rowW += iw;
  }
  if (row.length) rows.push(row);
  ctx.font = '600 ' + FONT;
  const title = titleLines(ctx, spec, w - 12);
  const beside = title.length === 1 && rows.length <= 1 && 6 + ctx.measureText(title[0]).width + 20 + rowW <= w;
  const top = 30 + 20 * (title.length - 1); // under the title
  const box = { l: 62, r: 14, t: beside ? top : top + 20 * rows.length, b: 40 };
  const pw = Math.max(10, w - box.l - box.r), ph = Math.max(10, h - box.t - box.b);
  const log = spec.log;
  const xmax = Math.max(1, data.xmax);
  const px = (t) => box.l + (t / xmax) * pw;
  let range = yRange(spec.lines, data.cols, data.limit, log);
  let lo, hi;
  if (!range) { lo = log ? -3 : 0; hi = log ? 0 : 1; }
  else if (log) { lo = Math.floor(Math.log10(range[0])); hi = Math.ceil(Math.log10(range[1])); if (hi - lo < 1) hi = lo + 1; }
  else { lo = 0; hi = range[1] > 0 ? range[1] * 1.05 : 1; if (range[0] < 0) lo = range[0] * 1.05; }
  const py = log ? (y) => box.t + (1 - (Math.log10(y) - lo) / (hi - lo)) * ph : (y) => box.t + (1 - (y - lo) / (hi - lo)) * ph;
  ctx.font = FONT;
  ctx.fillStyle = INK;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  ctx.font = '600 ' + FONT;
  title.forEach((text, i) => ctx.fillText(text, 6, 16 + 20 * i));
  ctx.font = FONT;
  // y grid and labels
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const yticks = log ? [] : niceTicks(lo, hi, Math.max(2, Math.floor(ph / 45)));
  if (log) { const every = Math.max(1, Math.ceil((hi - lo) / Math.max(2, Math.floor(ph / 32)))); for (let k = lo; k <= hi; k += every) yticks.push(k); }
  for (const t of yticks) {
    const y = log ? box.t + (1 - (t - lo) / (hi - lo)) * ph : py(t);
    ctx.fillStyle = GRID_LINE;
    ctx.fillRect(box.l, Math.round(y), pw, 1);
    ctx.fillStyle = INK;
    ctx.fillText(log ? powerLabel(t) : tickLabel(t), box.l - 6, y);
  }
  // x labels
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(0, xmax, Math.max(2, Math.floor(pw / 90)))) {
    if (t !== Math.round(t)) continue;
    const label = fmtIter(t), half = ctx.measureText(label).width / 2;
    ctx.fillRect(px(t), box.t + ph, 1, 5);
    ctx.fillText(label, Math.min(px(t), w - half - 2), box.t + ph + 7);
  }
  ctx.fillText('iteration', box.l + pw / 2, box.t + ph + 23);
  ctx.strokeStyle = 'rgba(49,51,63,0.55)';
  ctx.lineWidth = 1;
  ctx.strokeRect(box.l + 0.5, box.t + 0.5, pw - 1, ph - 1);
  // α changes, the looked-at iteration
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.l, box.t - 4, pw + 6, ph + 4);
  ctx.clip();
  ctx.setLineDash([5, 4]);
  ctx.lineWidth = 1.5;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  for (const [t, text] of data.marks) {
    const x = Math.round(px(t)) + 0.5;
    ctx.strokeStyle = '#D55E00';
    ctx.beginPath();
    ctx.moveTo(x, box.t);
    ctx.lineTo(x, box.t + ph);
    ctx.stroke();
    ctx.fillStyle = '#B34700';
    ctx.fillText(text, Math.min(x + 4, box.l + pw - ctx.measureText(text).width - 2), box.t + 4);
  }
  ctx.setLineDash([]);
  if (data.marker !== null && data.marker !== undefined) {
    ctx.strokeStyle = '#555555';
    ctx.lineWidth = 2;
    const x = Math.round(px(data.marker)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, box.t);
    ctx.lineTo(x, box.t + ph);
    ctx.stroke();
  }
  // the lines
  for (const line of spec.lines) {
    const ys = data.cols[line.key];
    if (!ys) continue;
    ctx.strokeStyle = line.color;
    ctx.lineWidth = line.width || 2;
    ctx.setLineDash(line.dash || []);
    ctx.lineJoin = 'round';
    strokeSeries(ctx, ys, data.limit, px, py, log);
  }
  ctx.restore();
  ctx.setLineDash([]);
  if (!range) {
    ctx.fillStyle = '#6B6E7A';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(data.empty, box.l + pw / 2, box.t + ph / 2);
  }
  // legend, top right above the plot
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  let left = w;
  rows.forEach((items, r) => {
    const ly = beside ? 16 : top + 6 + 20 * r;
    let x = w - box.r;
    for (let i = items.length - 1; i >= 0; i--) {
      const line = items[i];
      const tw = ctx.measureText(line.label).width;
      x -= tw;
      ctx.fillStyle = INK;
      ctx.fillText(line.label, x, ly);
      x -= 26;
      ctx.strokeStyle = line.color;
      ctx.lineWidth = line.width || 2;
      ctx.setLineDash(line.dash ? line.dash.map((d) => d * 0.7) : []);
      ctx.beginPath();
      ctx.moveTo(x, ly);
      ctx.lineTo(x + 20, ly);
      ctx.stroke();
      left = Math.min(left, x);
      x -= 12;
    }
  });
  ctx.setLineDash([]);
  setAttr(cv, 'data-title', title.join('\n')); // the title as drawn, a line each
  setAttr(cv, 'data-legend', `${shown.length} ${rows.length} ${Math.floor(left)}`); // entries, lines, leftmost px
}
