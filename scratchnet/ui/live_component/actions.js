// What a student does to the live view: Play / Pause (or Space), Step, Reset. Each acts on the screen at once,
// then becomes one request to the server; one request is in flight at a time, and an unanswered one is sent
// again (the server acts on each request number once).

// --- keyboard: Space toggles Play / Pause unless the key belongs to a control --------------------------
const OWN_KEYS = 'input, textarea, select, button, a[href], [contenteditable=""], [contenteditable="true"], '
  + '[role=slider], [role=combobox], [role=textbox], [role=spinbutton], [role=listbox], [role=option], '
  + '[role=menu], [role=menuitem], [role=tab], [role=checkbox], [role=radio], [role=switch]';

function onKey(v, e) {
  if (e.code !== 'Space' && e.key !== ' ') return;
  if (e.repeat || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
  const t = e.target;
  if (t && t.closest && t.closest(OWN_KEYS)) return;
  if (!v.root.isConnected || v.mode === null) return;
  e.preventDefault();
  togglePlay(v);
}

// --- user actions: immediate on screen, then one request to the server -------------------------------
// Where the run is on screen: the frame's iteration (looking back, the iteration the run is at).
function shownIt(v) {
  if (v.cur < 0) return 0;
  const f = v.frames[v.cur];
  return f.look !== undefined ? f.look : f.it;
}

function dropAhead(v) {
  if (v.cur >= 0) v.frames.length = v.cur + 1;
  v.end = null;
}

function togglePlay(v) {
  v.path = location.pathname;
  if (v.mode === 'playing') {
    v.mode = 'paused';
    pauseFrame(v);
    dropAhead(v);
    command(v, 'pause');
  } else if (v.mode === 'idle' || v.mode === 'paused') {
    v.mode = 'playing';
    dropAhead(v);
    v.clock = shownIt(v);
    v.lastT = performance.now();
    const pre = v.preroll, f = v.frames[v.cur];
    v.preroll = null;
    if (pre && f && f.look === undefined && f.it === pre.base) {
      // play the first frames now; the server takes the same steps when the request arrives
      v.frames.push(...pre.frames);
      applySeries(v, pre.series);
      command(v, 'play', { preroll: pre.key });
    } else {
      command(v, 'play');
    }
  }
  render(v);
}

function stepOnce(v) {
  if (v.mode === null || v.mode === 'finished' || v.mode === 'diverged') return;
  v.path = location.pathname;
  if (v.mode === 'playing') pauseFrame(v);
  v.mode = 'paused';
  dropAhead(v);
  command(v, 'step');
  render(v);
}

function resetRun(v) {
  if (v.mode === null) return;
  v.path = location.pathname;
  v.mode = 'idle';
  dropAhead(v);
  command(v, 'reset');
  render(v);
}

// Queue a request (the latest user action wins; a request for frames never replaces one).
function command(v, op, extra) {
  if (op !== 'need' && op !== 'frame') v.restartNote = null; // the student acted: the restart is old news
  if (op === 'need' && v.queued) return;
  v.queued = Object.assign({ op }, extra || {});
  flush(v);
}

// One request in flight at a time: the next waits for the answer (its `ack`).
// A view whose page was left (Streamlit keeps it on screen until the next page has rendered) asks nothing more.
// `path` is where it last heard from the server or was clicked, so a URL that merely changes spelling cannot
// silence a view the student is using.
// Leaving the page: no request may be in flight when the link's rerun goes out, and none may follow it.
// Streamlit 1.67's frontend can get a fragment's deltas after it has cleared the page for the next one, and
// then stops the whole app with "Bad delta path index" (a blank page): seen in 1 of 4 page switches mid-run
// on a loaded machine. The click waits for the answer in flight (≤ 1 s); nothing is sent after it.
const NAV_LINKS = '[data-testid=stSidebarNav] a, a[data-testid=stPageLink-NavLink]';

function holdNavigation(v, e) {
  const link = e.target && e.target.closest ? e.target.closest(NAV_LINKS) : null;
  if (!link || link.dataset.snGo || gone(v)) return;
  v.leaving = true;
  setTimeout(() => { v.leaving = false; flush(v); }, 1500); // the link led nowhere (this page): carry on
  if (!v.pending) return;
  e.preventDefault();
  e.stopImmediatePropagation();
  const until = performance.now() + 1000;
  const go = () => {
    if (v.pending && performance.now() < until) { setTimeout(go, 15); return; }
    link.dataset.snGo = '1';
    link.click();
    delete link.dataset.snGo;
  };
  setTimeout(go, 15);
}

function gone(v) {
  return !v.root.isConnected || location.pathname !== v.path;
}

function flush(v) {
  if (v.pending || !v.queued || !v.send || v.leaving || gone(v)) return;
  const cmd = v.queued;
  v.queued = null;
  cmd.req = ++v.req;
  cmd.mount = v.mount;
  cmd.epoch = v.epoch;
  cmd.shown = shownIt(v);
  v.sentShown = cmd.shown; // the server forgets the frames before it
  cmd.plane = v.planeKey || null; // the drawn features it shows: the server sends their meta if they changed
  if (cmd.op === 'need') cmd.next = v.frames.length ? v.frames[v.frames.length - 1].it : cmd.shown;
  if (v.lag !== undefined) cmd.lag = v.lag; // how long its last answer took, the server's own work left out
  if (v.splice) { // playing frames sent after an α change: the run takes them first
    cmd.splice = v.splice;
    v.spliceReq = v.spliceReq || cmd.req;
  }
  v.pending = cmd;
  sendPending(v);
}

function sendPending(v) {
  const cmd = v.pending;
  cmd.sentAt = cmd.sentAt || performance.now();
  clearTimeout(v.timer);
  v.timer = setTimeout(() => { if (v.pending === cmd && !v.leaving && !gone(v)) sendPending(v); }, PROTOCOL.ack_timeout_s * 1000);
  // frames: the view's own fragment; anything else: the panel's (channel.js), so what is around the view follows
  const panel = cmd.op !== 'need' && v.meta && window.__snPanel && window.__snPanel[v.meta.page];
  (panel || v.send)('cmd', cmd);
}
