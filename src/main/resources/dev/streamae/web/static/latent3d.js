// The 3-D latent scatter on a 2-D canvas: a small perspective projection with drag-to-rotate and
// wheel-to-zoom. No WebGL, so it draws the same on any machine, headless browsers included, and
// 2,000 points redraw in a few milliseconds. Digits take matplotlib's tab10 colours, as in the
// seed's figure and StreamAE's PNG figures; anomalies are drawn last, as black crosses in a ring.
// Labels are free-form (any string or integer), so only a label that is a digit is coloured as
// one; every other label shares one colour outside tab10 (magenta), and unlabelled images are grey.
(function () {
  'use strict';

  var TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
               '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var OTHER = '#ff00ff';
  var NONE = '#555555';

  /** 0-9 when the label is a digit: the integer, or the one-character string ("7", not "07" or "7 "). */
  function digit(label) {
    if (typeof label === 'number') return Number.isInteger(label) && label >= 0 && label <= 9 ? label : -1;
    return typeof label === 'string' && /^[0-9]$/.test(label) ? Number(label) : -1;
  }

  function colour(label) {
    var d = digit(label);
    return d >= 0 ? TAB10[d] : label == null ? NONE : OTHER;
  }
  var EDGES = [[0, 1], [1, 3], [3, 2], [2, 0], [4, 5], [5, 7], [7, 6], [6, 4], [0, 4], [1, 5], [2, 6], [3, 7]];

  /** "lo … hi" with enough decimals to tell the two apart (a young model's codes can be very close). */
  function range(lo, hi) {
    var decimals = Math.min(6, Math.max(2, Math.ceil(-Math.log10(hi - lo)) + 1));
    return lo.toFixed(decimals) + ' … ' + hi.toFixed(decimals);
  }

  function Latent3D(canvas, legend) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.points = [];
    this.yaw = -0.6;
    this.pitch = 0.35;
    this.zoom = 1;
    this.lo = [-1, -1, -1];
    this.hi = [1, 1, 1];
    this.pending = false;
    this.buildLegend(legend);
    this.listen();
    var self = this;
    new ResizeObserver(function () { self.resize(); }).observe(canvas);
    this.resize();
  }

  Latent3D.prototype.buildLegend = function (el) {
    var items = TAB10.map(function (c, i) { return [c, String(i)]; });
    items.push([OTHER, 'other label'], [NONE, 'no label']);
    items.forEach(function (item) {
      var span = document.createElement('span');
      var dot = document.createElement('i');
      dot.style.background = item[0];
      span.appendChild(dot);
      span.appendChild(document.createTextNode(item[1]));
      el.appendChild(span);
    });
    var a = document.createElement('span');
    a.className = 'anomaly';
    a.textContent = '✕ anomaly';
    el.appendChild(a);
  };

  Latent3D.prototype.listen = function () {
    var self = this, drag = null;
    this.canvas.addEventListener('pointerdown', function (e) {
      drag = { x: e.clientX, y: e.clientY };
      self.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', function (e) {
      if (!drag) return;
      self.yaw += (e.clientX - drag.x) * 0.01;
      self.pitch = Math.max(-1.5, Math.min(1.5, self.pitch + (e.clientY - drag.y) * 0.01));
      drag = { x: e.clientX, y: e.clientY };
      self.requestDraw();
    });
    ['pointerup', 'pointercancel'].forEach(function (t) {
      self.canvas.addEventListener(t, function () { drag = null; });
    });
    this.canvas.addEventListener('wheel', function (e) {
      e.preventDefault();
      self.zoom = Math.max(0.4, Math.min(4, self.zoom * Math.exp(-e.deltaY * 0.001)));
      self.requestDraw();
    }, { passive: false });
  };

  Latent3D.prototype.resize = function () {
    var dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    this.canvas.height = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    this.requestDraw();
  };

  /** points: [[x, y, z, label, anomaly, version], ...] (label: string, number or null); the axes span the points' range. */
  Latent3D.prototype.setPoints = function (points) {
    this.points = points;
    var lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    points.forEach(function (p) {
      for (var k = 0; k < 3; k++) {
        if (p[k] < lo[k]) lo[k] = p[k];
        if (p[k] > hi[k]) hi[k] = p[k];
      }
    });
    for (var k = 0; k < 3; k++) {
      if (!(hi[k] > lo[k])) { lo[k] = (isFinite(lo[k]) ? lo[k] : 0) - 1; hi[k] = lo[k] + 2; }
    }
    this.lo = lo;
    this.hi = hi;
    this.requestDraw();
  };

  Latent3D.prototype.requestDraw = function () {
    if (this.pending) return;
    this.pending = true;
    var self = this;
    requestAnimationFrame(function () { self.pending = false; self.draw(); });
  };

  Latent3D.prototype.project = function (x, y, z) {
    var cy = Math.cos(this.yaw), sy = Math.sin(this.yaw), cp = Math.cos(this.pitch), sp = Math.sin(this.pitch);
    var x1 = cy * x + sy * z, z1 = -sy * x + cy * z;
    var y2 = cp * y - sp * z1, z2 = sp * y + cp * z1;
    var f = 7 / (7 + z2); // a distant camera: enough depth to read the rotation, little distortion
    return [this.cx + x1 * f * this.scale, this.cy - y2 * f * this.scale, z2];
  };

  Latent3D.prototype.unit = function (p, k) {
    return 2 * (p[k] - this.lo[k]) / (this.hi[k] - this.lo[k]) - 1;
  };

  Latent3D.prototype.draw = function () {
    var ctx = this.ctx, w = this.canvas.width, h = this.canvas.height, dpr = window.devicePixelRatio || 1;
    ctx.clearRect(0, 0, w, h);
    this.cx = w / 2;
    this.cy = h / 2;
    this.scale = Math.min(w, h) * 0.3 * this.zoom;
    var self = this;

    var corners = [];
    for (var i = 0; i < 8; i++) corners.push(this.project(i & 1 ? 1 : -1, i & 2 ? 1 : -1, i & 4 ? 1 : -1));
    ctx.lineWidth = dpr;
    ctx.strokeStyle = '#d0d0d0';
    EDGES.forEach(function (e) {
      ctx.beginPath();
      ctx.moveTo(corners[e[0]][0], corners[e[0]][1]);
      ctx.lineTo(corners[e[1]][0], corners[e[1]][1]);
      ctx.stroke();
    });
    // The three axes from one corner, darker, each with its name and range.
    ctx.strokeStyle = '#888';
    ctx.fillStyle = '#555';
    ctx.font = (11 * dpr) + 'px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ['z₁', 'z₂', 'z₃'].forEach(function (name, k) {
      var end = [-1, -1, -1];
      end[k] = 1;
      var a = corners[0], b = self.project(end[0], end[1], end[2]);
      ctx.beginPath();
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
      ctx.stroke();
      end[k] = 1.22;
      var label = self.project(end[0], end[1], end[2]);
      ctx.fillText(name, label[0], label[1]);
      end[k] = 0;
      var mid = self.project(end[0] * 1.12, end[1] * 1.12, end[2] * 1.12);
      ctx.fillText(range(self.lo[k], self.hi[k]), mid[0], mid[1]);
    });

    var projected = this.points.map(function (p) {
      var q = self.project(self.unit(p, 0), self.unit(p, 1), self.unit(p, 2));
      return [q[0], q[1], q[2], colour(p[3]), p[4]];
    });
    projected.sort(function (a, b) { return b[2] - a[2]; });
    var r = 2.6 * dpr;
    ctx.globalAlpha = 0.8;
    projected.forEach(function (q) {
      if (q[4]) return;
      ctx.fillStyle = q[3];
      ctx.beginPath();
      ctx.arc(q[0], q[1], r, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.globalAlpha = 1;
    var s = 4 * dpr;
    projected.forEach(function (q) {
      if (!q[4]) return;
      ctx.fillStyle = q[3];
      ctx.beginPath();
      ctx.arc(q[0], q[1], s * 1.25, 0, 2 * Math.PI);
      ctx.fill();
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 1.5 * dpr;
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(q[0] - s, q[1] - s); ctx.lineTo(q[0] + s, q[1] + s);
      ctx.moveTo(q[0] - s, q[1] + s); ctx.lineTo(q[0] + s, q[1] - s);
      ctx.stroke();
    });
  };

  /** The colour a point with this label is drawn in (also read by the browser test). */
  Latent3D.colour = colour;
  Latent3D.colours = { other: OTHER, none: NONE };
  window.Latent3D = Latent3D;
})();
