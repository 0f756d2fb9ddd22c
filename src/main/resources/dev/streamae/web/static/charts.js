// The three time-series charts (uPlot). Each takes its width from its card and follows resizes;
// data is replaced wholesale on every event (at most a few hundred points: cheaper than diffing).
// Model events (drift, recalibration, learning held) are marked on all three at their time.
(function () {
  'use strict';

  var HEIGHT = 190;
  // The trainer's series share its purple; the scorer's, red (alerts) and green (throughput).
  var COLORS = { loss: '#1f77b4', threshold: '#ff7f0e', anomaly: '#d62728', target: '#7f7f7f',
                 contamination: '#8c564b', scored: '#2ca02c', trained: '#9467bd' };

  function axisFont() {
    return { stroke: '#555', grid: { stroke: '#eee', width: 1 }, ticks: { stroke: '#ddd', width: 1 },
             font: '11px system-ui, sans-serif' };
  }

  // Vertical markers (model events), shared by every chart: [{ t: seconds, label, colour, title, type }].
  var markers = [];

  /**
   * The x range runs to the newest marker when that is newer than the data: an event is often
   * reported before the next training record, and must show at once, at the right edge.
   */
  function xRange(u, min, max) {
    if (min == null) return [min, max];
    var newest = markers.reduce(function (m, k) { return k.t >= min && k.t > m ? k.t : m; }, max);
    return [min, newest];
  }

  /**
   * Markers as elements over the plot (uPlot's .u-over), placed after every redraw: crisp at any
   * pixel ratio, text a person can select and a test can read. Labels that would touch the previous
   * one step down a line; near the right edge they sit left of their line.
   */
  function markerPlugin() {
    var layer;
    return {
      hooks: {
        init: function (u) {
          layer = document.createElement('div');
          layer.className = 'markers';
          u.over.appendChild(layer);
        },
        draw: function (u) {
          var width = u.over.clientWidth, shown = [], lastLeft = -Infinity, row = 0;
          markers.slice().sort(function (a, b) { return a.t - b.t; }).forEach(function (k) {
            var left = u.valToPos(k.t, 'x');
            if (!(left >= 0 && left <= width)) return;
            row = left - lastLeft < 100 ? (row + 1) % 3 : 0;
            lastLeft = left;
            var line = document.createElement('div');
            line.className = 'marker' + (left > width - 100 ? ' flip' : '');
            line.style.left = left + 'px';
            line.style.borderColor = k.colour;
            line.dataset.t = k.t;
            line.dataset.type = k.type;
            line.title = k.title;
            var label = document.createElement('span');
            label.textContent = k.label;
            label.style.color = k.colour;
            label.style.top = (2 + 13 * row) + 'px';
            line.appendChild(label);
            shown.push(line);
          });
          layer.replaceChildren.apply(layer, shown);
        }
      }
    };
  }

  function make(el, series, scales, yFormat) {
    var y = Object.assign(axisFont(), { size: 56, values: function (u, vals) { return vals.map(yFormat); } });
    var opts = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: Object.assign({ x: { time: true, range: xRange } }, scales),
      axes: [axisFont(), y],
      series: [{}].concat(series),
      plugins: [markerPlugin()]
    };
    var data = [[]].concat(series.map(function () { return []; }));
    var chart = new uPlot(opts, data, el);
    new ResizeObserver(function () {
      chart.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT });
    }).observe(el);
    return chart;
  }

  function line(label, color, extra) {
    return Object.assign({ label: label, stroke: color, width: 1.6, points: { show: false } }, extra || {});
  }

  function sig(v) {
    if (v == null) return '';
    var a = Math.abs(v);
    return a === 0 ? '0' : a >= 100 ? v.toFixed(0) : a >= 1 ? v.toPrecision(3) : v.toPrecision(2);
  }

  // A second with a handful of images, or a report on a few training images, can flag 100 %: the
  // alert chart scales to three times the larger of the target and the contamination (columns 4
  // and 3), so that such a spike runs off the top instead of flattening everything else.
  function alertRange(u, min, max) {
    var reference = 0;
    [3, 4].forEach(function (i) { (u.data[i] || []).forEach(function (v) { if (v > reference) reference = v; }); });
    return [0, Math.max(2, Math.min(max * 1.15, reference ? 3 * reference : Infinity))];
  }

  window.Charts = {
    create: function () {
      return {
        training: make(document.getElementById('chart-training'), [
          line('loss', COLORS.loss),
          line('threshold', COLORS.threshold, { dash: [6, 4] })
        ], { y: { distr: 3 } }, sig),
        anomaly: make(document.getElementById('chart-anomaly'), [
          line('scorer alerts %', COLORS.anomaly, { fill: 'rgba(214,39,40,0.12)' }),
          line('trainer alerts %', COLORS.trained, { spanGaps: true }),
          line('contamination (est.) %', COLORS.contamination, { spanGaps: true, dash: [2, 3] }),
          line('target false alarms %', COLORS.target, { dash: [6, 4], width: 1.2 })
        ], { y: { range: alertRange } }, sig),
        throughput: make(document.getElementById('chart-throughput'), [
          line('scored / s', COLORS.scored, { fill: 'rgba(44,160,44,0.10)' }),
          line('trained / s', COLORS.trained, { spanGaps: true })
        ], { y: { range: function (u, min, max) { return [0, Math.max(10, max * 1.15)]; } } }, sig)
      };
    },
    /** x: seconds; any null y is a gap. */
    set: function (chart, columns) {
      chart.setData(columns);
    },
    /** The markers every chart draws from its next redraw on. */
    setMarkers: function (list) {
      markers = list;
    },
    /** Tables [x, y1, y2, ...] on one x axis (uPlot.join); with no data, one empty column per series. */
    join: function (tables) {
      if (tables.some(function (t) { return t[0].length; })) return uPlot.join(tables);
      var empty = [[]];
      tables.forEach(function (t) { t.slice(1).forEach(function () { empty.push([]); }); });
      return empty;
    }
  };
})();
