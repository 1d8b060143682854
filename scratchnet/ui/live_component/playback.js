// Playback: the frames a message brought are shown at a steady rate on a real-time clock, and more are asked for
// before the buffer runs dry. (Concatenated with the other files into the component's one module.)

function show(v, k) {
  if (k < 0) return;
  for (let i = k; i >= 0; i--) if (v.frames[i].dg) { v.lastDg = v.frames[i]; break; } // diagram.js pauseFrame
  if (k > 0) { v.frames.splice(0, k); k = 0; }
  v.cur = k;
  v.frameDirty = true;
  v.dirty = true;
}

function schedule(v) {
  if (!v.raf && v.root.isConnected) v.raf = requestAnimationFrame((now) => tick(v, now));
}

// While playing, the next animation frame is asked for only when the next frame is nearly due: an animation
// frame with nothing new to show still costs the page a main frame and a compositor frame (about 0.25 s of a
// run's browser CPU at 60 Hz, measured). With no frame buffered it polls every screen refresh, as the clock does.
function scheduleNext(v) {
  clearTimeout(v.wake);
  const next = v.frames[v.cur + 1];
  const wait = next ? ((next.it - v.clock) / (v.view.fps * v.view.stride)) * 1000 - 12 : 0;
  if (wait > 4) v.wake = setTimeout(() => schedule(v), wait);
  else schedule(v);
}

function tick(v, now) {
  v.raf = 0;
  if (!v.root.isConnected) { unmountView(v); return; }
  if (gone(v)) return; // the page was left: stop playing until it is unmounted
  if (v.mode === 'playing' && v.cur >= 0) {
    const rate = v.view.fps * v.view.stride; // iterations per second
    // real time, so a starved browser skips frames rather than slowing the run down (capped: a tab put to
    // sleep does not jump ahead when it wakes)
    const dt = Math.min(0.5, Math.max(0, (now - v.lastT) / 1000));
    v.lastT = now;
    const last = v.frames[v.frames.length - 1];
    v.clock = Math.min(v.clock + dt * rate, last.it);
    let k = v.cur;
    while (k + 1 < v.frames.length && v.frames[k + 1].it <= v.clock) k++;
    if (k !== v.cur) show(v, k);
    const it = shownIt(v);
    if (v.end && it >= v.end.it) {
      v.mode = v.end.state;
      v.end = null;
      command(v, 'done');
      render(v);
    } else if (!v.end && !v.pending && !v.queued && (last.it - v.clock) / rate < PROTOCOL.low_water_s) {
      // ask for more than is left: a second or two right after Play, then up to want_max_s per message (every
      // message costs the browser a re-render: a default run is Play, one or two requests and its end)
      const ahead = Math.max(0, (last.it - v.clock) / rate);
      command(v, 'need', { want: Math.min(PROTOCOL.want_max_s, 0.3 + 6 * ahead) });
    }
  }
  if (v.dirty) draw(v);
  if (v.mode === 'playing') scheduleNext(v);
}
