// K ≥ 3 classes on the plane. Each cell is two bytes, sent as two planes of one grid (scratchnet/ui/live_payload.py
// quantise_regions): rows 0 … h−1 the winning class, rows h … 2h−1 its probability (0 … 255). A cell is
// coloured by its class, from white (the model cannot choose: probability 1/K) to the class's tint (sure),
// and a dark line runs where the winning class changes. A class byte ≥ K marks a non-finite cell (white).
// (Concatenated after plane.js, whose helpers it uses.)

// K tables of 256 RGBA entries, one per class, indexed by the probability byte.
function regionTable(tints, k) {
  const lut = new Uint8ClampedArray(k * 256 * 4);
  for (let c = 0; c < k; c++) {
    const rgb = hexRgb(tints[c]);
    for (let v = 0; v < 256; v++) {
      const t = Math.min(1, Math.max(0, (v / 255 - 1 / k) / (1 - 1 / k)));
      const o = (c * 256 + v) * 4;
      for (let i = 0; i < 3; i++) lut[o + i] = Math.round(255 + (rgb[i] - 255) * t);
      lut[o + 3] = 255;
    }
  }
  return lut;
}

// The regions as an image (row 0 = lowest y, so it is flipped), on a reusable offscreen canvas.
function regionImage(cache, grid, w, h, lut, k) {
  offscreen(cache, w, h);
  const px = cache.img.data, plane = w * h;
  for (let r = 0; r < h; r++) {
    const src = (h - 1 - r) * w;
    let o = r * w * 4;
    for (let c = 0; c < w; c++, o += 4) {
      const cls = grid[src + c];
      if (cls >= k) {
        px[o] = px[o + 1] = px[o + 2] = 255;
      } else {
        const v = (cls * 256 + grid[plane + src + c]) * 4;
        px[o] = lut[v];
        px[o + 1] = lut[v + 1];
        px[o + 2] = lut[v + 2];
      }
      px[o + 3] = 255;
    }
  }
  cache.ctx.putImageData(cache.img, 0, 0);
  return cache.canvas;
}

// The borders: for each class, the ½ line of its smoothed indicator (1 where it wins, 0 elsewhere). Two
// neighbours' indicators sum to 1 along their border, so their lines coincide.
function regionBorders(ctx, grid, w, h, k, toX, toY, buf) {
  const n = w * h;
  const ind = buf.ind && buf.ind.length === n ? buf.ind : (buf.ind = new Uint8Array(n));
  for (let c = 0; c < k; c++) {
    let count = 0;
    for (let i = 0; i < n; i++) {
      const on = grid[i] === c;
      ind[i] = on ? 255 : 0;
      count += on;
    }
    if (count === 0 || count === n) continue;
    contourPath(ctx, smoothed(ind, w, h, buf), w, h, 127.5, toX, toY);
  }
}

// Class shapes beyond the first two (circle, triangle: drawPoint), as the static figures draw them.
function classShape(ctx, x, y, cls, r) {
  const s = r * 0.9;
  if (cls === 2) ctx.rect(x - s, y - s, 2 * s, 2 * s); // square
  else if (cls === 3) { // diamond
    const d = r * 1.25;
    ctx.moveTo(x, y - d);
    ctx.lineTo(x + d, y);
    ctx.lineTo(x, y + d);
    ctx.lineTo(x - d, y);
    ctx.closePath();
  } else if (cls === 4) { // cross
    const a = r * 1.15, b = r * 0.4;
    ctx.moveTo(x - b, y - a);
    for (const [px, py] of [[b, -a], [b, -b], [a, -b], [a, b], [b, b], [b, a], [-b, a], [-b, b], [-a, b], [-a, -b], [-b, -b]]) {
      ctx.lineTo(x + px, y + py);
    }
    ctx.closePath();
  } else { // star
    for (let i = 0; i < 10; i++) {
      const rad = i % 2 ? r * 0.55 : r * 1.35, ang = -Math.PI / 2 + (i * Math.PI) / 5;
      if (i === 0) ctx.moveTo(x + rad * Math.cos(ang), y + rad * Math.sin(ang));
      else ctx.lineTo(x + rad * Math.cos(ang), y + rad * Math.sin(ang));
    }
    ctx.closePath();
  }
}
