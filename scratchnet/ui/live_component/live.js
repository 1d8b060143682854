// scratchnet's live view: one component that stays mounted for the whole run. The server trains a little
// ahead and sends frames in batches; this plays them at a steady rate with requestAnimationFrame and asks
// for more before its buffer runs dry. Play / Pause / Step / Reset act here first, on the frame on screen,
// and then tell the server, which puts its run at exactly that frame. State lives with the DOM node, so
// new data never rebuilds anything.

const VIEWS = new WeakMap();
// what the server and this view agree on (scratchnet/ui/live_payload.PROTOCOL): it comes with this code
let PROTOCOL = null;
const LABEL = { play: '▶ Play', pause: '⏸ Pause', resume: '▶ Resume' };

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data && data.code) PROTOCOL = data.code.protocol;
  if (data && data.code && data.code.css && !document.getElementById('sn-live-css')) {
    el('style', '', document.head, { id: 'sn-live-css' }).textContent = data.code.css;
  }
  if (data && data.units) return showUnits(parentElement, data); // the hidden-unit maps' own instance
  let v = VIEWS.get(parentElement);
  if (!v) {
    v = mountView(parentElement);
    VIEWS.set(parentElement, v);
  }
  v.send = setTriggerValue;
  if (data && typeof data === 'object') {
    v.queue = v.queue.then(() => receive(v, data)).catch((err) => console.error('scratchnet live view:', err));
  }
  // Called when Streamlit unmounts the element (and sometimes for superseded calls): only a detached
  // node is torn down.
  return () => setTimeout(() => { if (!v.root.isConnected) unmountView(v); }, 0);
}

function el(tag, cls, parent, attrs) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const [k, val] of Object.entries(attrs || {})) e.setAttribute(k, val);
  if (parent) parent.appendChild(e);
  return e;
}

function mountView(parent) {
  const root = el('div', 'sn-live', parent, { 'data-testid': 'sn-live', 'data-draws': '0', 'data-lr-marks': '0' });
  const bar = el('div', 'sn-bar', root);
  const play = el('button', 'sn-btn sn-primary', bar, { 'data-testid': 'sn-play', type: 'button', 'aria-keyshortcuts': 'Space' });
  const stepBtn = el('button', 'sn-btn', bar, { 'data-testid': 'sn-step', type: 'button', title: '10 iterations, then pause' });
  const reset = el('button', 'sn-btn', bar, { 'data-testid': 'sn-reset', type: 'button', title: 'Back to iteration 0 with fresh starting weights (same seed)' });
  const status = el('div', 'sn-status', bar, { 'data-testid': 'sn-status' });
  play.textContent = LABEL.play;
  stepBtn.textContent = 'Step';
  reset.textContent = 'Reset';
  status.textContent = 'Loading…';
  // what a screen reader hears (speak()): a few times a run, where the status line above changes 10 times a second
  const said = el('div', 'sn-said', bar, { 'data-testid': 'sn-said', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const notice = el('div', 'sn-notice', root, { role: 'note' });
  notice.hidden = true;
  const main = el('div', 'sn-main', root);
  const plane = el('figure', 'sn-plane', main);
  const plot = el('div', 'sn-plot', plane);
  const boundary = el('canvas', 'sn-boundary', plot, { 'data-testid': 'sn-boundary', role: 'img', 'aria-label': 'Decision boundary' });
  const overlay = el('canvas', 'sn-overlay', plot, { 'aria-hidden': 'true' });
  const legend = el('figcaption', 'sn-legend', plane);
  const charts = el('div', 'sn-charts', main);
  const loss = el('canvas', '', el('div', 'sn-chart', charts), { 'data-testid': 'sn-loss', role: 'img', 'aria-label': 'Loss curves' });
  const grad = el('canvas', '', el('div', 'sn-chart', charts), { 'data-testid': 'sn-grad', role: 'img', 'aria-label': 'Gradient norms' });
  const v = {
    root, play, stepBtn, reset, status, said, notice, main, plot, boundary, overlay, legend, charts, loss, grad,
    send: null, queue: Promise.resolve(), mount: Math.random().toString(36).slice(2), req: 0, pending: null,
    queued: null, timer: 0, seq: 0, epoch: -1, mode: null, frames: [], cur: -1, clock: 0, lastT: 0, end: null,
    series: { cols: {}, lr: [] }, meta: null, metaId: 0, view: { fps: 45, stride: 6, logy: false }, target: 0,
    plane: {}, raf: 0, dirty: false, draws: 0, path: location.pathname,
  };
  planeHover(v);
  drawInput(v); // draw.js
  mountDiagram(v);
  play.addEventListener('click', () => togglePlay(v));
  stepBtn.addEventListener('click', () => stepOnce(v));
  reset.addEventListener('click', () => resetRun(v));
  v.onKey = (e) => onKey(v, e);
  document.addEventListener('keydown', v.onKey);
  v.onNav = (e) => holdNavigation(v, e);
  document.addEventListener('click', v.onNav, true);
  v.resize = new ResizeObserver(() => { v.sized = false; v.dirty = true; schedule(v); });
  v.resize.observe(root);
  // the boundary fits the screen below the view's top: content above it that grows or shrinks (Streamlit's
  // elements redrawn after a Pause) moves the view without resizing it, so the page's size is watched too
  const page = root.closest('[data-testid=stMainBlockContainer]');
  if (page) v.resize.observe(page);
  v.onWindow = () => { v.sized = false; v.dirty = true; schedule(v); };
  window.addEventListener('resize', v.onWindow);
  render(v); // disabled until the first payload has been drawn
  return v;
}

function unmountView(v) {
  document.removeEventListener('keydown', v.onKey);
  document.removeEventListener('click', v.onNav, true);
  window.removeEventListener('resize', v.onWindow);
  v.resize.disconnect();
  if (v.raf) cancelAnimationFrame(v.raf);
  clearTimeout(v.timer);
  clearTimeout(v.wake);
  v.raf = 0;
}

// --- payloads -------------------------------------------------------------------------------------
async function inflate(b64) {
  const text = atob(b64), bin = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bin[i] = text.charCodeAt(i);
  const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// The grids of one message: each stored as its difference from the previous one (mod 256).
async function decodeGrids(g) {
  if (!g || !g.n) return [];
  const raw = await inflate(g.data);
  const size = g.w * g.h, out = [];
  let prev = null;
  for (let k = 0; k < g.n; k++) {
    const cur = raw.subarray(k * size, (k + 1) * size);
    const grid = new Uint8Array(size);
    if (prev) for (let i = 0; i < size; i++) grid[i] = (prev[i] + cur[i]) & 255;
    else grid.set(cur);
    out.push(grid);
    prev = grid;
  }
  return out;
}

function applySeries(v, s) {
  const cols = v.series.cols;
  for (const key of Object.keys(cols)) if (!(key in s.cols)) cols[key].length = Math.min(cols[key].length, s.t0);
  for (const [key, ys] of Object.entries(s.cols)) {
    const col = cols[key] || (cols[key] = []);
    col.length = Math.min(col.length, s.t0);
    while (col.length < s.t0) col.push(null);
    for (const y of ys) col.push(y);
  }
  v.series.lr = v.series.lr.filter(([t]) => t < s.t0).concat(s.lr);
}

// The page reconnected to a server session without this run (its replica died or restarted): start over from
// what the new one has (its seq and epoch start again), and say so until the student acts (actions.js command).
const RESTARTED = 'The server restarted; your settings are kept; press Play to start again.';

function restarted(v) {
  clearTimeout(v.timer);
  Object.assign(v, { seq: 0, epoch: -1, mode: null, pending: null, queued: null, frames: [], cur: -1, end: null,
    preroll: null, splice: 0, spliceReq: 0, series: { cols: {}, lr: [] }, restartNote: RESTARTED });
}

async function receive(v, P) {
  if (P.sid && v.sid && P.sid !== v.sid) restarted(v);
  if (P.sid) v.sid = P.sid;
  if (!(P.seq > v.seq)) return;
  v.path = location.pathname;
  const grids = P.grids ? await decodeGrids(P.grids) : [];
  const pre = P.preroll ? await decodeGrids(P.preroll.grids) : [];
  const spliced = P.splice ? await decodeGrids(P.splice.grids) : [];
  const [dgs, dgPre, dgSpliced] = await Promise.all([P, P.preroll, P.splice].map((x) => diagramParts(x && x.dgm)));
  if (P.meta) await setupDiagram(v, P.meta);
  v.seq = P.seq;
  const first = v.mode === null;
  const newEpoch = P.epoch > v.epoch;
  if (v.spliceReq && P.ack >= v.spliceReq) v.splice = v.spliceReq = 0; // the server has taken those frames
  if (v.pending && P.ack === v.pending.req && P.ms !== undefined) {
    v.lag = Math.round(Math.max(0, performance.now() - v.pending.sentAt - P.ms));
  }
  if (v.pending && P.ack >= v.pending.req) {
    v.pending = null;
    clearTimeout(v.timer);
  }
  if (P.epoch < v.epoch) { flush(v); return; } // frames from before the server changed timelines
  const settled = !v.pending && !v.queued; // the server has seen every request: its state is the truth
  if (P.meta) {
    v.meta = P.meta;
    v.metaId += 1;
    v.planeKey = String(P.meta.axes); // other drawn features: frames from before are of another plane
    v.lut = colorTable(P.meta.scale);
    v.regionLut = P.meta.k > 2 ? regionTable(P.meta.tints, P.meta.k) : null;
    v.unitLut = v.lut;
    Object.assign(v.plane, { meta: P.meta, metaId: v.metaId });
    buildLegend(v);
    v.sized = false; // the legend under the boundary may have another height
  }
  v.view = P.view;
  v.target = P.target;
  const note = P.notice || v.restartNote || v.drawNote || ''; // drawNote: draw.js
  if (v.notice.hidden !== !note) v.sized = false; // the boundary's top moved
  v.notice.hidden = !note;
  v.notice.textContent = note;
  v.epoch = P.epoch;
  if (P.series) applySeries(v, P.series);
  const gw = P.grids ? P.grids.w : 0, gh = P.grids ? P.grids.h : 0;
  const frames = (P.frames || []).map((f, k) => Object.assign(f, { grid: grids[k], gw, gh, pk: v.planeKey, dg: dgs[k] }));
  const sp = P.splice;
  if (sp && newEpoch && v.mode === 'playing' && shownIt(v) <= sp.base && v.frames.some((f) => f.it === sp.base)) {
    // α or λ moved: the server trained on from a frame just ahead of this one; play on into those frames (the
    // next request says so, and the run takes the same steps)
    v.frames = v.frames.filter((f) => f.it <= sp.base).concat(sp.frames.map((f, k) => Object.assign(f, {
      grid: spliced[k], gw: sp.grids.w, gh: sp.grids.h, pk: v.planeKey, dg: dgSpliced[k] })));
    applySeries(v, sp.series);
    v.end = sp.end || null;
    v.splice = sp.key;
    v.spliceReq = 0;
    // say so at once (and ask for what follows them): until the run has taken them, a second change can only
    // hold the frame on screen and ask again
    if (!v.end) command(v, 'need', { want: 1.5 });
  } else if ((P.hold || sp) && newEpoch && v.mode === 'playing') {
    // α, λ or the limit changed mid-run (or the frames after a change start before this one): stay on this
    // frame, and play what the server trains from here.
    dropAhead(v);
    v.clock = shownIt(v);
    v.queued = null;
    command(v, 'need', { want: PROTOCOL.first_chunk_s });
  } else if (P.frames && P.full && fillsDiagram(v, frames, settled)) {
    // the frame on screen, asked for again for the diagram's numbers: the boundary stays as drawn
  } else if (P.frames && P.full) {
    if (first || (settled && (v.mode !== 'playing' || (newEpoch && !P.hold)))) {
      v.frames = frames;
      show(v, frames.length - 1);
    }
  } else if (P.frames) {
    if (v.mode === 'playing' && (settled || P.state === 'playing')) {
      v.frames = v.frames.filter((f) => f.it <= P.base).concat(frames);
      if (v.cur >= v.frames.length) v.cur = v.frames.length - 1;
    } else if (settled) {
      const kept = v.frames.slice(0, v.cur + 1).filter((f) => f.it <= P.base).concat(frames);
      if (kept.length) { v.frames = kept; show(v, kept.length - 1); }
    } else dropAhead(v);
  }
  if (P.end && v.mode === 'playing') v.end = P.end;
  // the first frames of the next Play, ready to go (actions.js plays them the moment Play is pressed)
  v.preroll = P.preroll ? Object.assign(P.preroll, {
    frames: P.preroll.frames.map((f, k) => Object.assign(f, { grid: pre[k], gw: P.preroll.grids.w, gh: P.preroll.grids.h, pk: v.planeKey, dg: dgPre[k] })),
  }) : null;
  if (settled || first) {
    if (P.state !== 'playing' || v.mode !== 'playing') {
      if (P.state === 'playing') { v.clock = shownIt(v); v.lastT = performance.now(); }
      v.mode = P.state;
    }
  }
  const f = v.frames[v.cur];
  if (f && f.pk !== v.planeKey && v.mode !== 'playing' && !v.pending && !v.queued) {
    command(v, 'frame'); // the drawn features changed while a request was out: ask for the frame on screen anew
  } else if (f && !f.dg && v.mode !== 'playing' && v.dmeta && P.view.net && !v.pending && !v.queued) {
    command(v, 'frame'); // stopped on a frame without the diagram's numbers (diagram.js pauseFrame): ask for them
  }
  viewOptions(v, P); // draw.js: the two picture checkboxes and drawing
  if (first) v.root.setAttribute('data-state', v.mode); // ready: the key handler is attached
  v.dirty = true;
  render(v);
  flush(v);
  schedule(v);
}

// --- drawing --------------------------------------------------------------------------------------
function render(v) {
  const m = v.mode;
  const it = shownIt(v);
  v.play.textContent = m === 'playing' ? LABEL.pause : (m === 'paused' && it > 0 ? LABEL.resume : LABEL.play);
  const over = m === 'finished' || m === 'diverged';
  v.play.disabled = m === null || over;
  v.stepBtn.disabled = m === null || over;
  v.play.title = m === 'finished' ? 'Finished: raise Iterations to keep going, or Reset'
    : m === 'diverged' ? 'Diverged: lower the learning rate and press Reset' : 'Play / pause (space bar)';
  if (m !== null) setAttr(v.root, 'data-state', m);
  v.dirty = true;
  schedule(v);
}

function statusOf(v, f) {
  const where = f.look !== undefined ? `Looking back at iteration ${fmtIter(f.it)} of ${fmtIter(f.look)}`
    : `Iteration ${fmtIter(f.it)} / ${fmtIter(v.target)}`;
  return `${where} · ${v.mode} · ${f.s}`;
}

function statusLine(v, f) {
  const text = statusOf(v, f);
  if (text === v.statusText) return;
  v.statusText = text;
  // one unbreakable span per "·" part (a long line wraps between parts, never inside "test 92%"), numbers in
  // bold; the elements are built once per shape and then only their text changes (cheap at 40 frames a second)
  const pieces = text.split(' · ').map((part) => part.split('*'));
  const shape = pieces.map((p) => p.length).join(',');
  if (shape !== v.statusShape) {
    v.statusShape = shape;
    v.statusText = '';
    const nodes = [];
    v.statusNodes = [];
    pieces.forEach((parts, k) => {
      if (k) nodes.push(document.createTextNode(' · '));
      const span = el('span', 'sn-part');
      parts.forEach((_, i) => {
        const t = document.createTextNode('');
        if (i % 2 === 0) span.appendChild(t); else el('b', '', span).appendChild(t);
        v.statusNodes.push(t);
      });
      nodes.push(span);
    });
    v.status.replaceChildren(...nodes);
  }
  let n = 0;
  for (const parts of pieces) for (const part of parts) {
    const t = v.statusNodes[n++];
    if (t.data !== part) t.data = part;
  }
  v.statusText = text;
}

// For a screen reader: the live region and the canvases' names say what is on screen, at once for a new state,
// step or plane; while playing at most every SPEAK_MS (a few times a run, never 40 times a second).
const SPEAK_MS = 3000;
function speak(v, f) {
  const now = performance.now();
  const same = v.mode === v.saidMode && v.attrMeta === v.saidMeta;
  if (same && (f.it === v.saidIt || (v.mode === 'playing' && now - v.saidT < SPEAK_MS))) return;
  Object.assign(v, { saidMode: v.mode, saidMeta: v.attrMeta, saidIt: f.it, saidT: now });
  const parts = statusOf(v, f).replace(/\*/g, '').split(' · '), at = `iteration ${fmtIter(f.it)}`;
  const says = (...words) => [at, ...parts.filter((p) => words.some((w) => p.startsWith(w)))].join(', ');
  const grads = v.meta.charts.grad.lines.map((l) => {
    const ys = v.series.cols[l.key] || [], y = ys[Math.min(f.it, ys.length) - 1]; // the last point drawn
    return y == null ? '' : `${l.label} ${Number(y).toPrecision(2)}`;
  }).filter(Boolean);
  v.said.textContent = parts.join(', '); // a comma is a pause; a screen reader may say "dot" for ·
  setAttr(v.boundary, 'aria-label', `${v.planeLabel || 'Decision boundary'}, ${says('accuracy')}`);
  setAttr(v.loss, 'aria-label', `${v.meta.charts.loss.title}, ${says('train loss', 'test loss')}`);
  setAttr(v.grad, 'aria-label', `${v.meta.charts.grad.title}, ${[at, ...grads].join(', ')}`);
}

function lrMarks(v, limit) {
  const marks = [];
  const lr = v.series.lr;
  for (let i = 1; i < lr.length; i++) {
    const [t, a] = lr[i];
    if (t < limit && a !== lr[i - 1][1]) marks.push([t, `α ${Number(lr[i - 1][1])} → ${Number(a)}`]);
  }
  return marks;
}

// The boundary is the largest square that leaves its legend and the sliders under it on screen (at most 58 % of
// the width); on a narrow screen it takes the full width and the charts go below it.
const SLIDERS = 100; // px kept under the boundary's legend: the row of sliders
function layout(v) {
  const w = v.root.clientWidth;
  v.root.classList.toggle('sn-narrow', w < 640);
  if (w < 640) {
    v.main.style.gridTemplateColumns = '';
    v.plot.style.width = '';
    v.charts.style.height = '';
    layoutNet(v, w, 0);
    return;
  }
  const scroller = v.root.closest('[data-testid=stMain]');
  const top = v.main.getBoundingClientRect().top + (scroller ? scroller.scrollTop - scroller.getBoundingClientRect().top : window.scrollY);
  const below = SLIDERS + v.legend.offsetHeight; // a slice's notes or long class names take more lines
  const size = Math.round(Math.max(300, Math.min(w * 0.58, window.innerHeight - top - below)));
  v.main.style.gridTemplateColumns = `${size}px minmax(0, 1fr)`;
  v.plot.style.width = `${size}px`;
  v.charts.style.height = `${size}px`;
  layoutNet(v, w, size);
}

// While playing, the curves and the status text change at most 10 times a second; the boundary every frame.
// A new status text costs the page a layout, paint and raster (~0.4 s of CPU per default run at 40 frames a
// second, measured): numbers are unreadable at that rate anyway. Paused or finished, they show the frame at once.
const CHART_INTERVAL_MS = 100;

function draw(v) {
  v.dirty = false;
  if (!v.sized) { layout(v); v.sized = true; } // reads the page's geometry: only after a resize or new content
  if (!v.meta || v.cur < 0) return;
  const f = v.frames[v.cur];
  // the boundary is repainted for a new frame, size or data set only: data-draws counts what a student sees change
  const size = `${v.boundary.clientWidth}x${v.boundary.clientHeight}x${v.metaId}`;
  // a frame of the plane before the drawn features changed stays unpainted: the picture on screen (old grid,
  // old axes) holds until the server's first frame over the new ones arrives
  if ((f !== v.drawnFrame || size !== v.drawnSize) && f.pk === v.planeKey) {
    drawPlane(v.boundary, v.plane, f.grid, f.gw, f.gh, Object.assign({
      axes: true, k: v.meta.k, contour: 2.5, pointRadius: v.boundary.clientWidth > 500 ? 5 : 4, overlay: v.overlay,
      message: f.nan ? 'no boundary: the model’s outputs are not finite' : '',
    }, drawOpts(v)));
    v.drawnFrame = f;
    v.drawnSize = size;
    v.draws += 1;
    if (v.attrMeta !== v.metaId) planeAttrs(v);
    if (v.editAt && v.draws > v.editDraws) { setAttr(v.root, 'data-edit-ms', String(Math.round(performance.now() - v.editAt))); v.editAt = 0; }
  }
  const netSize = `${v.net.cv.clientWidth}x${v.net.cv.clientHeight}x${v.metaId}`;
  if (f !== v.net.shown || netSize !== v.net.size) { drawDiagram(v, f); v.net.size = netSize; }
  const looking = f.look !== undefined;
  const limit = looking ? Infinity : f.it;
  const marks = lrMarks(v, limit);
  const now = performance.now();
  // the first new iteration after Play shows at once (statusT is 0 while not playing); then ≤ 10 Hz
  if (v.mode !== 'playing' || now - (v.statusT || 0) >= CHART_INTERVAL_MS) {
    statusLine(v, f);
    if (v.mode !== 'playing') v.statusT = 0; else if (f.it !== v.statusIt) v.statusT = now;
    v.statusIt = f.it;
  } else v.dirty = true;
  if (v.mode !== 'playing' || now - (v.chartT || 0) >= CHART_INTERVAL_MS || marks.length !== v.chartMarks) {
    const charts = v.meta.charts;
    const common = { cols: v.series.cols, limit, xmax: Math.max(v.target, looking ? f.look : f.it), marks,
      marker: looking ? f.it : null, empty: 'press Play to train' };
    drawChart(v.loss, Object.assign({}, charts.loss, { log: v.view.logy }), common);
    drawChart(v.grad, charts.grad, common);
    v.chartT = now;
    v.chartMarks = marks.length;
  } else if (v.mode === 'playing') {
    v.dirty = true; // the curves catch up on a later frame
  }
  speak(v, f);
  setAttr(v.root, 'data-shown-it', String(f.it)); // looking back: the frame looked at
  setAttr(v.root, 'data-draws', String(v.draws));
  setAttr(v.root, 'data-lr-marks', String(marks.length));
}

function setAttr(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}
