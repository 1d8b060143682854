// TF Playground's two picture checkboxes, and drawing points on the plane (scratchnet/ui/drawing.py).
// (Concatenated after plane.js and actions.js, whose helpers it uses, and before live.js.)
//
// "Show test data" and "Discretize output" change only the picture: the payload's `show` says which, and the
// plane is repainted from the frames the view already has (nothing is trained again).
// Drawing: with drawn data and the Draw toggle on, a click (a tap) adds a point of the chosen class where it
// lands, shift-click (a long press) removes the nearest. The point shows at once; the edits go to the server as
// the view's `draw` trigger, one message at a time, numbered, so none is lost; the page then reruns on the new
// set. A Play in progress is paused for the edit and resumed on the new set, from the weights it had.

// "Discretize output": each side of ½ one flat colour, the shading's colour at 85 % certainty (points stay
// readable on it); with K classes each class's tint at 70 % of the way from undecided to sure.
function flatTable(lut) {
  const flat = new Uint8ClampedArray(256 * 4);
  const lo = Math.round(0.15 * 255) * 4, hi = Math.round(0.85 * 255) * 4;
  for (let i = 0; i < 256; i++) for (let c = 0; c < 4; c++) flat[i * 4 + c] = lut[(i < 128 ? lo : hi) + c];
  return flat;
}

function flatRegionTable(lut, k) {
  const flat = new Uint8ClampedArray(k * 256 * 4);
  const at = Math.round(255 * (1 / k + 0.7 * (1 - 1 / k)));
  for (let c = 0; c < k; c++) {
    for (let v = 0; v < 256; v++) for (let i = 0; i < 4; i++) flat[(c * 256 + v) * 4 + i] = lut[(c * 256 + at) * 4 + i];
  }
  return flat;
}

// The payload's `show` and `draw`: a change repaints the plane (points and colours) from the frame on screen.
function viewOptions(v, P) {
  if (P.meta) v.flatLut = null; // "Discretize output"'s table, made again for the new colours when needed
  const show = P.show || { test: true, discrete: false };
  const key = `${show.test}:${show.discrete}`;
  if (key !== v.showKey) {
    v.show = show;
    v.showKey = key;
    v.plane.layerKey = null; // the points are drawn again, with or without the test ones
    v.drawnFrame = null;
    if (v.meta) buildLegend(v);
    setAttr(v.root, 'data-show-test', String(!!show.test));
    setAttr(v.root, 'data-discrete', String(!!show.discrete));
  }
  v.draw = P.draw || null;
  if (P.state !== 'playing' && !v.drawResume) v.drawNote = null; // said until the run stops
  const on = !!(v.draw && v.draw.on);
  v.root.classList.toggle('sn-drawing', on);
  if (on) {
    setAttr(v.boundary, 'tabindex', '0');
    setAttr(v.boundary, 'aria-keyshortcuts', 'ArrowLeft ArrowRight ArrowUp ArrowDown Enter Delete');
  } else ['tabindex', 'aria-keyshortcuts'].forEach((a) => v.boundary.removeAttribute(a));
  setAttr(v.root, 'data-draw', on ? 'on' : 'off');
  if (v.draw && v.draw.seen >= (v.drawSent || 0)) { // the server has applied what was sent
    v.drawSent = 0;
    clearTimeout(v.drawTimer);
    if (v.drawOut && v.drawOut.length) sendDraw(v);
    else if (v.drawResume && (v.mode === 'idle' || v.mode === 'paused') && !v.pending && !v.queued) {
      v.drawResume = false;
      v.drawNote = P.notice; // "training goes on from the weights it had": kept while it plays on
      setTimeout(() => togglePlay(v), 0); // it was playing: play on, on the new set
    }
  }
}

function drawOpts(v) {
  const flat = v.show && v.show.discrete;
  if (flat && v.meta && !v.flatLut) {
    v.flatLut = v.meta.k > 2 ? flatRegionTable(v.regionLut, v.meta.k) : flatTable(v.lut);
  }
  return { showTest: !v.show || v.show.test !== false, lut: flat ? v.flatLut : v.lut, regionLut: flat ? v.flatLut : v.regionLut };
}

const LONG_PRESS_MS = 550, SLOP_PX = 10, REACH_PX = 16;

function drawInput(v) {
  const cv = v.boundary;
  let press = null;
  const end = () => { if (press) clearTimeout(press.timer); press = null; };
  cv.addEventListener('pointerdown', (e) => {
    if (!v.draw || !v.draw.on || !v.meta || e.button > 0) return;
    end();
    press = { x: e.clientX, y: e.clientY, shift: e.shiftKey };
    if (e.pointerType === 'touch') {
      press.timer = setTimeout(() => { const p = press; press = null; if (p) drawAt(v, p.x, p.y, 'remove'); }, LONG_PRESS_MS);
    }
  });
  // a finger that moves is scrolling the page (the canvas keeps touch-action: pan-y): no point
  cv.addEventListener('pointermove', (e) => { if (press && Math.hypot(e.clientX - press.x, e.clientY - press.y) > SLOP_PX) end(); });
  cv.addEventListener('pointercancel', end);
  cv.addEventListener('pointerup', (e) => {
    const p = press;
    end();
    if (p) drawAt(v, e.clientX, e.clientY, p.shift || e.shiftKey ? 'remove' : 'add');
  });
  cv.addEventListener('contextmenu', (e) => { if (v.draw && v.draw.on) e.preventDefault(); }); // a long press
  drawKeys(v);
}

// From the keyboard (the plane takes the focus while drawing is on): the arrows move a cross (Shift: 5 times
// further), Enter adds a point of the chosen class there, Delete or Backspace removes the nearest.
const KEY_STEP = 0.02;
function drawKeys(v) {
  const cv = v.boundary, cross = el('div', 'sn-cross', v.plot, { 'aria-hidden': 'true' });
  cross.hidden = true;
  const place = () => {
    const m = v.meta, box = planeBox(m, cv.clientWidth, cv.clientHeight, true);
    cross.style.left = `${box.px(v.kx) - 9}px`;
    cross.style.top = `${box.py(v.ky) - 9}px`;
    cross.hidden = !(v.draw && v.draw.on) || document.activeElement !== cv;
  };
  cv.addEventListener('focus', () => {
    if (!v.meta) return;
    if (v.kx === undefined) { v.kx = (v.meta.x[0] + v.meta.x[1]) / 2; v.ky = (v.meta.y[0] + v.meta.y[1]) / 2; }
    place();
  });
  cv.addEventListener('blur', () => { cross.hidden = true; });
  cv.addEventListener('keydown', (e) => {
    if (!v.draw || !v.draw.on || !v.meta) return;
    const m = v.meta, far = e.shiftKey ? 5 : 1;
    const dx = { ArrowLeft: -1, ArrowRight: 1 }[e.key] || 0, dy = { ArrowDown: -1, ArrowUp: 1 }[e.key] || 0;
    if (dx || dy) {
      v.kx = Math.min(m.x[1], Math.max(m.x[0], v.kx + dx * far * KEY_STEP * (m.x[1] - m.x[0])));
      v.ky = Math.min(m.y[1], Math.max(m.y[0], v.ky + dy * far * KEY_STEP * (m.y[1] - m.y[0])));
    } else if (e.key === 'Enter' || e.key === 'Delete' || e.key === 'Backspace') {
      const r = cv.getBoundingClientRect(), box = planeBox(m, r.width, r.height, true);
      drawAt(v, r.left + box.px(v.kx), r.top + box.py(v.ky), e.key === 'Enter' ? 'add' : 'remove');
    } else return;
    e.preventDefault();
    place();
  });
}

function drawAt(v, cx, cy, op) {
  const m = v.meta, r = v.boundary.getBoundingClientRect(), box = planeBox(m, r.width, r.height, true);
  const mx = cx - r.left, my = cy - r.top;
  if (mx < box.l || mx > box.l + box.w || my < box.t || my > box.t + box.h) return;
  const x = m.x[0] + ((mx - box.l) / box.w) * (m.x[1] - m.x[0]);
  const y = m.y[0] + (1 - (my - box.t) / box.h) * (m.y[1] - m.y[0]);
  const reach = REACH_PX * Math.max((m.x[1] - m.x[0]) / box.w, (m.y[1] - m.y[0]) / box.h);
  sketch(v, op, x, y, reach);
  (v.drawOut || (v.drawOut = [])).push({ op, x, y, c: v.draw.cls, r: reach });
  if (v.mode === 'playing') { // the run pauses for the edit, and plays on once the new set is in
    v.drawResume = true;
    togglePlay(v);
  }
  sendDraw(v);
}

// The edit on screen at once, on the points the plane draws (the server's next meta replaces them).
function sketch(v, op, x, y, reach) {
  const pts = v.meta.points;
  if (op === 'add') {
    pts.x.push(x);
    pts.y.push(y);
    pts.c.push(v.draw.cls);
    pts.test.push(0);
  } else {
    let best = -1, bestD = reach * reach;
    for (let i = 0; i < pts.x.length; i++) {
      const d = (pts.x[i] - x) ** 2 + (pts.y[i] - y) ** 2;
      if (d <= bestD) { bestD = d; best = i; }
    }
    if (best < 0) return;
    for (const key of ['x', 'y', 'c', 'test']) pts[key].splice(best, 1);
  }
  v.plane.layerKey = null;
  v.drawnFrame = null;
  v.dirty = true;
  schedule(v);
}

// One message at a time (until the server says it has applied it), after any Pause is answered; sent again if
// no answer comes.
function sendDraw(v) {
  if (v.drawSent || !v.drawOut || !v.drawOut.length || !v.send || v.pending || v.queued) return;
  const edits = v.drawOut.splice(0, 50);
  v.drawN = Math.max((v.drawN || 0) + 1, (v.draw && v.draw.seen) || 0) + 1;
  const msg = { n: v.drawN, edits };
  v.drawSent = msg.n;
  const go = () => { if (v.drawSent === msg.n && !gone(v)) { v.send('draw', msg); v.drawTimer = setTimeout(go, PROTOCOL.ack_timeout_s * 1000); } };
  go();
}
