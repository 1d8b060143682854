// The hidden-unit maps, a second instance of the component mounted under the sliders when a run is paused:
// each unit's output over the plane (40×40), coloured like the boundary by the class its w2 votes for, with
// the data on top. It follows the look-back slider (the server sends the maps for the weights looked at).

const UNIT_VIEWS = new WeakMap();

async function showUnits(parent, data) {
  let u = UNIT_VIEWS.get(parent);
  if (!u) {
    u = { root: el('section', 'sn-live sn-units', parent, { 'data-testid': 'sn-units' }), seq: 0, views: [], plane: {} };
    el('h4', '', u.root).textContent = 'What each hidden unit learned';
    u.note = el('p', 'sn-units-note', u.root);
    u.grid = el('div', 'sn-units-grid', u.root);
    u.resize = new ResizeObserver(() => drawUnits(u));
    u.resize.observe(u.root);
    UNIT_VIEWS.set(parent, u);
  }
  const maps = await decodeGrids(data.units);
  u.data = data;
  u.maps = maps;
  u.lut = colorTable(data.meta.scale);
  // K classes: each unit in the tint of the class it votes for (bright = large output; grey = negative)
  u.luts = data.units.votes ? data.units.votes.map((c) => colorTable(['#8A8A8A', '#FFFFFF', data.meta.tints[c]])) : null;
  Object.assign(u.plane, { meta: data.meta, metaId: (u.plane.metaId || 0) + 1 });
  const d = data.units;
  // a deeper net: its first layer's units reach the output through every path (w_out·W_L·…·W_2, the core's sum)
  const deep = data.depth > 1;
  u.note.textContent = (deep
    ? `Each map is one first-layer unit’s output h1 = g(a1) over the plane (bright = large), coloured by the class `
      + `its path weight favours: w_out·W${data.depth}·…·W2, every path to the output summed as if the ${data.depth - 1} `
      + 'layers above were linear. They are not, so the boundary is not a weighted sum of these maps. '
    : u.luts
    ? 'Each map is one unit’s output h1 = g(a1) over the plane (bright = large), coloured by the class its '
      + 'largest weight in W2 raises: each class’s score is a weighted sum of these maps. '
    : 'Each map is one unit’s output h1 = g(a1) over the plane (bright = large), coloured by the '
      + 'class its weight w2 votes for: the boundary is their weighted sum. ')
    + (data.look !== null ? `Weights at iteration ${fmtIter(data.look)}.` : `Weights at iteration ${fmtIter(data.it)}.`)
    + (d.of > d.ids.length ? ` The ${d.ids.length} units with the largest ${deep ? '|path weight|' : d.votes ? 'weight in W2' : '|w2|'} of ${d.of}.` : '');
  u.root.classList.toggle('sn-narrow', u.root.clientWidth < 640);
  if (u.views.length !== d.ids.length) {
    u.grid.replaceChildren();
    u.views = d.ids.map(() => {
      const fig = el('figure', 'sn-unit', u.grid);
      return { cv: el('canvas', '', fig, { role: 'img' }), cap: el('figcaption', '', fig), st: {} };
    });
  }
  d.ids.forEach((id, k) => {
    const w2 = d.votes ? ` · → ${u.data.meta.classes[d.votes[k]]} (${d.w2[k] >= 0 ? '+' : ''}${d.w2[k]})`
      : d.w2 ? ` · ${deep ? 'path' : 'w2'} = ${d.w2[k] >= 0 ? '+' : ''}${d.w2[k]}` : '';
    // dead as the status counts it: 0 on every training point (it may still light up elsewhere on the plane)
    u.views[k].cap.textContent = `unit ${id}${w2}${d.dead && d.dead[k] ? ' · dead: 0 on every training point' : ''}`;
    u.views[k].cv.setAttribute('aria-label', `Hidden unit ${id}: its output over the plane${w2}, weights at iteration ${fmtIter(data.look !== null ? data.look : data.it)}`);
  });
  drawUnits(u);
  return undefined;
}

function drawUnits(u) {
  if (!u.maps || !u.root.isConnected) return;
  const d = u.data.units;
  u.views.forEach((view, k) => {
    view.st.meta = u.plane.meta;
    view.st.metaId = u.plane.metaId;
    drawPlane(view.cv, view.st, u.maps[k], d.w, d.h, { axes: false, lut: u.luts ? u.luts[k] : u.lut, contour: 0, pointRadius: 2.5 });
  });
}
