// The network diagram beside the boundary, as TF Playground draws it: a column per layer, each node a small map
// of what it outputs over the plane, a line per weight (width ∝ |w|, colour = sign) and a mark per bias. Every
// number comes from the server's numpy run with the frame (scratchnet/ui/diagram_payload.py): node maps as bytes
// on a 16×16 grid, θ and ∂J/∂θ as float32. Hovering a line or node names it as the gradient chart does
// (W1[2,0] …) with its value and ∂J/∂w on the frame on screen; clicking one while paused types a new value;
// clicking an extra input switches it. A table of every weight, bias and gradient is the text alternative and
// the keyboard's way to edit. (Concatenated after plane.js and before actions.js / live.js.)

const NET_WMAX = 3; // |w| at which a line reaches its full width
const NET_TABLE_MS = 500; // the open table follows a playing run at most this often
const NET_MIN_MS = 30; // while playing, the diagram is redrawn at most this often (≈ 30 a second)

function mountDiagram(v) {
  const fig = el('figure', 'sn-net', null, { 'data-testid': 'sn-diagram' });
  v.main.insertBefore(fig, v.charts);
  const plot = el('div', 'sn-net-plot', fig);
  const cv = el('canvas', 'sn-net-canvas', plot, { 'data-testid': 'sn-diagram-canvas', role: 'img', 'aria-label': 'Network diagram' });
  const tip = el('div', 'sn-tip sn-net-tip', plot, { role: 'tooltip', 'data-testid': 'sn-net-tip' });
  tip.hidden = true;
  const box = el('input', 'sn-net-edit', plot, { type: 'text', inputmode: 'decimal', 'data-testid': 'sn-net-edit', autocomplete: 'off' });
  box.hidden = true;
  const legend = el('figcaption', 'sn-legend sn-net-legend', fig);
  const msg = el('p', 'sn-net-msg', fig, { role: 'status', 'data-testid': 'sn-net-msg' });
  const details = el('details', 'sn-net-table', fig, { 'data-testid': 'sn-net-table' });
  el('summary', '', details).textContent = 'Table: every weight, bias and ∂J/∂w (edit when paused)';
  const table = el('table', '', details);
  v.net = { fig, plot, cv, tip, box, legend, msg, details, table, hover: null, items: [], rows: null, tableT: 0 };
  fig.hidden = true;
  cv.addEventListener('pointermove', (e) => netHover(v, e));
  cv.addEventListener('pointerleave', () => { v.net.hover = null; tip.hidden = true; });
  cv.addEventListener('click', (e) => netClick(v, e));
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); const t = box.value; closeEdit(v); commitEdit(v, box.dataset.name, t); }
    if (e.key === 'Escape') { e.preventDefault(); closeEdit(v); }
  });
  box.addEventListener('blur', () => closeEdit(v));
  details.addEventListener('toggle', () => { if (details.open) buildTable(v); });
  legend.addEventListener('click', (e) => { // the legend's switch: line width by |w| or by |∂J/∂w|
    if (!e.target.closest('.sn-net-mode')) return;
    v.net.byGrad = !v.net.byGrad;
    netLegend(v, v.meta);
    if (v.net.shown) { v.net.forced = true; drawDiagram(v, v.net.shown); }
  });
}

// A new meta (a mount, other drawn features, a new run): the layers, names and input maps.
async function setupDiagram(v, meta) {
  const d = meta && meta.diagram;
  v.dmeta = d || null;
  if (!d) return;
  d.inputMaps = (await decodeGrids(d.input_maps))[0];
  d.outK = d.sizes[d.sizes.length - 1];
  d.outLuts = d.outK > 1 ? meta.tints.slice(0, d.outK).map((t, c) => colorTable(['#FFFFFF', t, meta.colors[c]])) : null;
  v.net.rows = null;
  v.net.table.replaceChildren();
  netMessage(v, '');
  if (v.net.details.open) buildTable(v);
  netLegend(v, meta);
}

// The diagram's parts of a message's frames: {maps, theta, grad} at each frame that has one (dg.at: every
// other frame or so, and the last), undefined for the others.
async function diagramParts(dg) {
  if (!dg || !dg.n) return [];
  const maps = await decodeGrids(dg.maps);
  const raw = bytes(dg.wg), all = new Float32Array(raw.buffer, 0, dg.n * 2 * dg.p), out = [];
  for (let k = 0; k < dg.n; k++) {
    out[dg.at[k]] = { maps: maps[k], theta: all.subarray(2 * k * dg.p, (2 * k + 1) * dg.p), grad: all.subarray((2 * k + 1) * dg.p, (2 * k + 2) * dg.p) };
  }
  return out;
}

// Pause stops on the latest frame the diagram has (at most a frame or two back), so the boundary, the status and
// every weight and gradient on screen are of one θ, the one the server's run is then put at.
function pauseFrame(v) {
  const f = v.frames[v.cur], back = v.lastDg;
  if (!f || f.dg || !back || !v.dmeta || !v.view || !v.view.net) return;
  if (back.pk !== f.pk || back.it > f.it || f.it - back.it > 3 * v.view.stride) return;
  if (back.it < (v.sentShown || 0)) return; // the server may have dropped its weights: live.js asks for them
  v.frames[v.cur] = back;
  v.dirty = true;
  setAttr(v.root, 'data-shown-it', String(back.it)); // with data-state, in the same task as the click
}

// An answer that is the frame on screen again (same iteration, plane and epoch) with the diagram's numbers it
// lacked: they join that frame, which is not replaced (nothing else about it changed).
function fillsDiagram(v, frames, settled) {
  const f = v.frames[v.cur], g = frames.length === 1 ? frames[0] : null;
  if (!settled || v.mode === 'playing' || !f || f.dg || !g || !g.dg || g.it !== f.it || g.pk !== f.pk) return false;
  f.dg = g.dg;
  v.dirty = true;
  return true;
}

// --- geometry: where every node, line and bias mark is, for this size ---------------------------------
function netGeometry(v, w, h) {
  const d = v.dmeta, cols = [d.inputs.length, ...d.sizes.slice(1)];
  const most = Math.max(...cols);
  const top = 22, bottom = 6, left = 4, right = 4;
  const colGap = (w - left - right) / cols.length;
  const s = Math.max(12, Math.min(64, colGap * 0.5, (h - top - bottom) / (most * 1.25)));
  const gap = most > 1 ? Math.min((s * 3) / 5, (h - top - bottom - most * s) / (most - 1)) : 0;
  const nodes = cols.map((n, c) => {
    const x = left + colGap * c + (colGap - s) / 2;
    const y0 = top + (h - top - bottom - (n * s + (n - 1) * gap)) / 2;
    return Array.from({ length: n }, (_, j) => ({ x, y: y0 + j * (s + gap), s }));
  });
  // the model's input i sits at the position of the i-th input that is on
  const inputAt = d.inputs.map((inp, k) => [inp, k]).filter(([inp]) => inp.on).map(([, k]) => nodes[0][k]);
  return { nodes, inputAt, s, key: `${w}x${h}x${v.metaId}` };
}

function thetaIndex(d, tensor, j, i) {
  const shape = d.shapes[tensor];
  if (shape.length === 2) return d.offsets[tensor] + j * shape[1] + i;
  if (shape.length === 1) return d.offsets[tensor] + (i === undefined ? j : i);
  return d.offsets[tensor];
}

function nodeLabel(v, layer, j) {
  const d = v.dmeta, last = d.sizes.length - 1;
  if (layer === 0) return d.inputs[j].full;
  if (layer === last) return d.outK > 1 ? `output: ${v.meta.class_names[j]}` : 'output ŷ';
  return `layer ${layer} unit ${j + 1}`;
}

// Every line and bias mark of this geometry, for drawing and for hit tests (built once per size and meta).
function netItems(v, geo) {
  const d = v.dmeta, items = [];
  for (let l = 0; l < d.weights.length; l++) {
    const W = d.weights[l], two = d.shapes[W].length === 2;
    const from = l === 0 ? geo.inputAt : geo.nodes[l], to = geo.nodes[l + 1];
    for (let j = 0; j < to.length; j++) {
      for (let i = 0; i < from.length; i++) {
        const a = from[i], b = to[j];
        const inputK = l === 0 ? d.inputs.findIndex((inp) => inp.node === i) : i;
        items.push({ kind: 'w', name: two ? `${W}[${j},${i}]` : `${W}[${i}]`, idx: thetaIndex(d, W, j, i),
          x0: a.x + a.s, y0: a.y + a.s / 2, x1: b.x, y1: b.y + b.s / 2, what: `${nodeLabel(v, l, inputK)} → ${nodeLabel(v, l + 1, j)}` });
      }
    }
    const B = d.biases[l], m = geo.s * 0.3;
    to.forEach((b, j) => items.push({ kind: 'b', name: d.shapes[B].length ? `${B}[${j}]` : B, idx: thetaIndex(d, B, j),
      x: b.x - m * 0.35, y: b.y + b.s - m * 0.65, m, node: b, what: `bias of ${nodeLabel(v, l + 1, j)}` }));
  }
  d.inputs.forEach((inp, k) => {
    const n = geo.nodes[0][k];
    items.push({ kind: 'in', key: inp.key, on: inp.on, x: n.x, y: n.y, m: n.s, what: inp.full });
  });
  return items;
}

// --- drawing ------------------------------------------------------------------------------------------
function drawDiagram(v, f) {
  const n = v.net, d = v.dmeta;
  const show = !!(d && v.view && v.view.net);
  if (n.fig.hidden === show) { n.fig.hidden = !show; v.sized = false; }
  if (!show || !f || !f.dg) return;
  const now = performance.now(), w = n.cv.clientWidth, h = n.cv.clientHeight;
  const key = `${w}x${h}x${v.metaId}`;
  // while playing, at most NET_MIN_MS apart (the boundary keeps every frame): a later tick draws what is due
  if (v.mode === 'playing' && n.geo && n.geo.key === key && now - n.drawT < NET_MIN_MS && !n.forced) { v.dirty = true; return; }
  n.drawT = now;
  n.forced = false;
  const [ctx] = fitCanvas(n.cv);
  if (!n.geo || n.geo.key !== key) {
    n.geo = netGeometry(v, w, h);
    n.cv.__snItems = n.items = netItems(v, n.geo);
    n.layer = netLayer(v, n.geo, w, h);
  }
  const geo = n.geo, th = f.dg.theta, gr = f.dg.grad, pos = v.meta.colors[1], neg = v.meta.colors[0];
  ctx.clearRect(0, 0, w, h);
  ctx.lineCap = 'round';
  // by |∂J/∂w|: relative to the frame's largest (gradients span decades and shrink as a run converges)
  let gmax = 0;
  if (n.byGrad) for (const it of n.items) if (it.kind === 'w') gmax = Math.max(gmax, Math.abs(gr[it.idx]) || 0);
  for (const it of n.items) {
    if (it.kind !== 'w') continue;
    const val = th[it.idx], mid = (it.x0 + it.x1) / 2;
    it.lw = 0.5 + 6.5 * (n.byGrad ? (gmax > 0 ? Math.abs(gr[it.idx]) / gmax : 0) : Math.min(1, Math.abs(val) / NET_WMAX));
    ctx.beginPath();
    ctx.moveTo(it.x0, it.y0);
    ctx.bezierCurveTo(mid, it.y0, mid, it.y1, it.x1, it.y1);
    ctx.strokeStyle = val >= 0 ? pos : neg;
    ctx.globalAlpha = it === n.hover ? 1 : 0.75;
    ctx.lineWidth = (it === n.hover ? 1.5 : 0) + it.lw;
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  const dpr = window.devicePixelRatio || 1;
  ctx.drawImage(n.layer, 0, 0, n.layer.width / dpr, n.layer.height / dpr); // titles, inputs, every node's frame
  // the frame's maps (the hidden layers' units, then the outputs) as one image, then a piece per node
  const res = d.res, img = mapsImage(v, f.dg.maps), nodes = geo.nodes.slice(1).flat();
  ctx.imageSmoothingEnabled = true;
  nodes.forEach((node, k) => ctx.drawImage(img, 0, k * res, res, res, node.x + 1, node.y + 1, node.s - 2, node.s - 2));
  for (const it of n.items) {
    if (it.kind === 'b') {
      const val = th[it.idx];
      ctx.fillStyle = val >= 0 ? pos : neg;
      ctx.globalAlpha = 0.35 + 0.65 * Math.min(1, Math.abs(val) / NET_WMAX);
      ctx.fillRect(it.x, it.y, it.m, it.m);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = it === n.hover ? INK : 'rgba(49,51,63,0.7)';
      ctx.lineWidth = it === n.hover ? 2 : 1;
      ctx.strokeRect(it.x + 0.5, it.y + 0.5, it.m - 1, it.m - 1);
    } else if (it.kind === 'in' && it === n.hover) {
      ctx.strokeStyle = INK;
      ctx.lineWidth = 2;
      ctx.strokeRect(it.x - 1, it.y - 1, it.m + 2, it.m + 2);
    }
  }
  n.shown = f;
  if (n.hover) showTip(v, n.hover);
  setAttr(v.root, 'data-net-it', String(f.it));
  // its name says the iteration when it holds still, and while playing every few seconds (as speak() does)
  if (v.mode !== 'playing' || now - (n.labelT || 0) > SPEAK_MS) {
    n.labelT = now;
    setAttr(n.cv, 'aria-label', `Network diagram: ${d.sizes.join(' → ')} nodes, ${d.names.length} weights and biases at iteration ${fmtIter(f.it)}; the table below lists them`);
  }
  if (n.details.open && (v.mode !== 'playing' || now - n.tableT > NET_TABLE_MS)) { fillTable(v, f); n.tableT = now; }
}

// What does not change while a run plays, drawn once per size and meta: the column titles, the input nodes'
// maps (faded when off) and every node's frame.
function netLayer(v, geo, w, h) {
  const d = v.dmeta, dpr = window.devicePixelRatio || 1, layer = document.createElement('canvas');
  layer.width = Math.round(w * dpr);
  layer.height = Math.round(h * dpr);
  const ctx = layer.getContext('2d'), res = d.res, cell = res * res, cache = {};
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.font = '14px "Source Sans Pro", "Source Sans 3", system-ui, sans-serif';
  ctx.fillStyle = INK;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.imageSmoothingEnabled = true;
  geo.nodes.forEach((col, c) => {
    const title = c === 0 ? 'inputs' : c === geo.nodes.length - 1 ? 'output' : `layer ${c}`;
    if (col.length) ctx.fillText(title, col[0].x + col[0].s / 2, Math.min(col[0].y - 3, 18));
    col.forEach((node, j) => {
      if (c === 0) {
        ctx.globalAlpha = d.inputs[j].on ? 1 : 0.3;
        ctx.drawImage(gridImage(cache, d.inputMaps.subarray(j * cell, (j + 1) * cell), res, res, v.lut), node.x + 1, node.y + 1, node.s - 2, node.s - 2);
        ctx.globalAlpha = 1;
      }
      ctx.strokeStyle = 'rgba(49,51,63,0.6)';
      ctx.lineWidth = 1;
      ctx.strokeRect(node.x + 0.5, node.y + 0.5, node.s - 1, node.s - 1);
    });
  });
  return layer;
}

// Every node map of a frame in one image (one map per res rows, flipped: row 0 = lowest y), each through its
// colour table: the boundary's for hidden units and two classes, a class's tint for each of K outputs.
function mapsImage(v, maps) {
  const d = v.dmeta, res = d.res, cell = res * res, count = maps.length / cell, cache = v.net.mapCache || (v.net.mapCache = {});
  offscreen(cache, res, res * count);
  const first = count - d.outK;
  for (let k = 0; k < count; k++) {
    const lut = k >= first && d.outLuts ? d.outLuts[k - first] : v.lut;
    paintFlipped(cache.img.data, k * cell, maps, k * cell, res, res, lut); // plane.js
  }
  cache.ctx.putImageData(cache.img, 0, 0);
  return cache.canvas;
}

function netLegend(v, m) {
  const sw = (c) => `<span class="sn-net-sw" style="background:${c}"></span>`;
  const by = !!v.net.byGrad;
  v.net.legend.innerHTML = `${sw(m.colors[1])} w &gt; 0 ${sw(m.colors[0])} w &lt; 0 · width ∝ ${by ? '|∂J/∂w| (largest: full)' : '|w|'} `
    + `<button type="button" class="sn-net-mode" data-testid="sn-net-mode" aria-pressed="${by}">width by |∂J/∂w|</button> · ▪ bias`
    + (v.dmeta.inputs.some((i) => i.key) ? ' · click an input to switch it' : '');
  v.net.legend.title = `Each node shows its output over the plane. A line's width grows with |w| up to |w| = ${NET_WMAX} (or, switched, with |∂J/∂w|); `
    + 'the small square at a node\'s corner is its bias. Hover a line or a square for its value and ∂J/∂w.';
}

// --- hover, click, edit ---------------------------------------------------------------------------------
function netHit(v, e) {
  const n = v.net, r = n.cv.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
  let best = null, bestD = 7;
  for (const it of n.items) {
    if (it.kind === 'b' || it.kind === 'in') {
      const pad = it.kind === 'b' ? 3 : 0;
      if (x >= it.x - pad && x <= it.x + it.m + pad && y >= it.y - pad && y <= it.y + it.m + pad) {
        if (it.kind === 'b') return it;
        best = it; bestD = 0;
      } else if (it.node && x >= it.node.x && x <= it.node.x + it.node.s && y >= it.node.y && y <= it.node.y + it.node.s) {
        best = it; bestD = 0; // a unit's body names its bias (the square at its corner)
      }
      continue;
    }
    if (bestD === 0) continue;
    const mid = (it.x0 + it.x1) / 2;
    for (let t = 0; t <= 1; t += 1 / 16) { // the bezier, sampled
      const u = 1 - t, px = u * u * u * it.x0 + 3 * u * t * (u * mid + t * mid) + t * t * t * it.x1;
      const py = u * u * u * it.y0 + 3 * u * u * t * it.y0 + 3 * u * t * t * it.y1 + t * t * t * it.y1;
      const dist = Math.hypot(px - x, py - y);
      if (dist < bestD) { bestD = dist; best = it; }
    }
  }
  return best;
}

function fmtNum(x) {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}

function tipText(v, it) {
  const f = v.net.shown;
  if (it.kind === 'in') return `${it.what}\n${it.key ? (it.on ? 'on · click to switch it off' : 'off · click to switch it on') : 'always on'}`;
  const val = f.dg.theta[it.idx], g = f.dg.grad[it.idx], sym = it.kind === 'w' ? 'w' : 'b';
  const paused = v.mode !== 'playing' && f.look === undefined;
  return `${it.name} · ${it.what}\n${sym} = ${fmtNum(val)}\n∂J/∂${sym} = ${fmtNum(g)}${paused ? '\nclick to type a new value' : ''}`;
}

function showTip(v, it) {
  const n = v.net, tip = n.tip;
  tip.textContent = tipText(v, it);
  tip.hidden = false;
  const w = n.plot.clientWidth, x = it.kind === 'w' ? (it.x0 + it.x1) / 2 : it.x + it.m;
  const y = it.kind === 'w' ? (it.y0 + it.y1) / 2 : it.y;
  tip.style.left = `${Math.max(0, Math.min(x + 10, w - tip.offsetWidth - 4))}px`;
  tip.style.top = `${Math.max(0, y - tip.offsetHeight - 8)}px`;
  setAttr(v.root, 'data-net-hover', it.name || it.key || it.what);
}

function netHover(v, e) {
  const n = v.net;
  if (!n.shown) return;
  const it = netHit(v, e);
  if (it !== n.hover) {
    n.hover = it;
    n.cv.style.cursor = it ? 'pointer' : '';
    n.forced = true;
    drawDiagram(v, n.shown);
  }
  if (!it) n.tip.hidden = true;
}

function netClick(v, e) {
  const n = v.net, it = netHit(v, e);
  if (!it || !n.shown) return;
  if (it.kind === 'in') {
    if (!it.key) { netMessage(v, `${it.what} is always an input.`); return; }
    netMessage(v, `Switching ${it.what} ${it.on ? 'off' : 'on'}: a new network, so the run starts again…`);
    command(v, 'input', { feat: it.key });
    return;
  }
  n.hover = it;
  showTip(v, it);
  if (!editable(v)) return;
  const box = n.box, w = n.plot.clientWidth;
  box.dataset.name = it.name;
  box.value = fmtNum(n.shown.dg.theta[it.idx]);
  box.setAttribute('aria-label', `New value for ${it.name} (${it.what})`);
  box.hidden = false;
  const x = it.kind === 'w' ? (it.x0 + it.x1) / 2 : it.x;
  const y = it.kind === 'w' ? (it.y0 + it.y1) / 2 : it.y;
  box.style.left = `${Math.max(0, Math.min(x - 40, w - 100))}px`;
  box.style.top = `${y + 10}px`;
  box.focus();
  box.select();
}

function closeEdit(v) { v.net.box.hidden = true; }

function editable(v) {
  const f = v.frames[v.cur];
  if (v.mode === 'playing') { netMessage(v, 'Pause to type a weight: hover shows it while playing.'); return false; }
  if (v.mode === null || !f) return false;
  if (!f.dg) { netMessage(v, 'One moment: the weights of this frame are on their way.'); return false; }
  if (f.look !== undefined) { netMessage(v, 'Looking back: move the look-back slider to the end to edit the weights now.'); return false; }
  return true;
}

function netMessage(v, text) {
  v.net.msg.textContent = text;
}

// A typed value: checked here (the server checks again), then one request; the answer is the frame redrawn.
function commitEdit(v, name, text) {
  const t = String(text).trim().replace(/−/g, '-'), x = t === '' ? NaN : Number(t), lim = v.dmeta.limit;
  if (!Number.isFinite(x)) { netMessage(v, `“${String(text).slice(0, 20)}” is not a number: ${name} was not changed.`); return false; }
  if (Math.abs(x) > lim) { netMessage(v, `${name} must be between −${lim} and ${lim}: it was not changed.`); return false; }
  if (!editable(v)) return false;
  v.preroll = null;
  v.editAt = performance.now();
  v.editDraws = v.draws;
  netMessage(v, `${name} set to ${x}: the boundary, loss and gradients are for the new weights. Play or Step goes on from them; Reset restores the start.`);
  command(v, 'edit', { name, value: x });
  return true;
}

// --- the text alternative: every weight and bias with its gradient, editable from the keyboard --------------
function buildTable(v) {
  const d = v.dmeta, n = v.net;
  if (!d || n.rows) { if (n.shown) fillTable(v, n.shown); return; }
  const head = el('tr', '', el('thead', '', n.table));
  for (const t of ['entry', 'connects', 'value', '∂J/∂ (now)']) el('th', '', head, { scope: 'col' }).textContent = t;
  const body = el('tbody', '', n.table);
  const what = {};
  if (n.items.length) for (const it of n.items) if (it.name) what[it.name] = it.what;
  n.rows = d.names.map((name, idx) => {
    const tr = el('tr', '', body);
    el('th', '', tr, { scope: 'row' }).textContent = name;
    el('td', '', tr).textContent = what[name] || '';
    const inp = el('input', '', el('td', '', tr), { type: 'text', inputmode: 'decimal', 'aria-label': `${name} value`, 'data-name': name, size: '8' });
    inp.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); commitEdit(v, name, inp.value); }
    });
    return { inp, g: el('td', '', tr), idx };
  });
  if (n.shown) fillTable(v, n.shown);
}

function fillTable(v, f) {
  const rows = v.net.rows;
  if (!rows || !f.dg) return;
  const ro = v.mode === 'playing';
  for (const r of rows) {
    if (document.activeElement !== r.inp) r.inp.value = fmtNum(f.dg.theta[r.idx]);
    r.inp.readOnly = ro;
    const g = fmtNum(f.dg.grad[r.idx]);
    if (r.g.textContent !== g) r.g.textContent = g;
  }
}

// --- where it goes: its own column beside the boundary when there is room (a projector), above the charts in
// the column beside it on a laptop, below the boundary on a phone (live.js layout() calls this) ----------------
function layoutNet(v, w, size) {
  const n = v.net, fig = v.plot.parentElement;
  v.charts.classList.remove('sn-charts-row');
  fig.style.gridRow = '';
  n.fig.style.gridColumn = '';
  if (n.fig.hidden) return;
  const other = Math.max(40, n.fig.offsetHeight - n.plot.offsetHeight); // legend, message, the table's summary
  if (!size) { n.plot.style.height = `${Math.round(Math.min(w * 0.85, 440))}px`; return; }
  if (w - size - 24 >= 700) {
    v.main.style.gridTemplateColumns = `${size}px minmax(0, 1.2fr) minmax(0, 1fr)`;
    n.plot.style.height = `${Math.max(200, size - other)}px`;
    return;
  }
  fig.style.gridRow = 'span 2';
  const top = Math.round(size * 0.62);
  n.plot.style.height = `${Math.max(160, top - other)}px`;
  v.charts.classList.add('sn-charts-row');
  v.charts.style.height = `${Math.max(160, size - top - 12)}px`;
}
