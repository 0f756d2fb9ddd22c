// The page's logic: one EventSource; a "snapshot" event replaces everything, "delta" events add
// what is new. Arrays are trimmed to the caps the server sends, so the page's memory and drawing
// work stay bounded however fast images stream. window.__dash exposes counters for the browser test.
// Every figure is of one model: the page asks for it with /events?model= (kept in its own address,
// so a reload or a shared link shows the same model); choosing another opens a new stream, whose
// first event is a snapshot of that model. Every event lists all models for the overview.
(function () {
  'use strict';

  var limits = { chartPoints: 500, latentPoints: 2000, alerts: 20, events: 50, tickMs: 500, models: 32 };
  var driftLevels = { suspect: 100, confirm: 250 };  // replaced by the server's with the first snapshot
  var training = [];          // Points.Training objects, oldest first
  var rates = new Map();      // second -> [t, scored, anomalies, judged]
  var latent = [];            // [x, y, z, label, anomaly, version]; label: string, number or null
  var events = [];            // Points.Event objects (model-events), oldest first
  var alertCount = 0;
  var lastModel = null;
  var requested = new URLSearchParams(location.search).get('model');  // null: the server's default
  var shownModel = null;      // the model the events are of
  var modelNames = '';        // the names the selector and overview were built for
  var source = null;
  var serverOffset = 0;       // server clock minus browser clock, ms

  var probe = window.__dash = {
    messages: 0, snapshots: 0, maxEventsPerSecond: 0, maxLatent: 0, maxHandleMs: 0,
    counts: { training: 0, rates: 0, latent: 0, alerts: 0, grid: 0, events: 0 },
    chartPoints: { training: 0, anomaly: 0, throughput: 0 },
    modelVersion: 0, deadLetters: 0, shownModel: null, models: []
  };
  var eventTimes = [];

  var $ = function (id) { return document.getElementById(id); };
  var charts = window.Charts.create();
  var scatter = new window.Latent3D($('latent'), $('latent-legend'));

  function fmtInt(n) { return n == null ? '–' : Math.round(n).toLocaleString('en-US'); }
  function fmtNum(v) {
    if (v == null || !isFinite(v)) return '–';
    var a = Math.abs(v);
    return a === 0 ? '0' : a >= 1000 ? fmtInt(v) : a >= 1 ? v.toFixed(1) : v.toPrecision(3);
  }
  function fmtAge(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    return s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min ' + (s % 60) + ' s'
      : Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
  }
  function text(id, value) { var el = $(id); if (el.textContent !== value) el.textContent = value; }
  var fmt = { text: text, fmtNum: fmtNum, fmtInt: fmtInt };

  function trimFront(arr, cap) { if (arr.length > cap) arr.splice(0, arr.length - cap); }

  function apply(m) {
    serverOffset = m.serverTime - Date.now();
    if (m.type === 'snapshot') {
      probe.snapshots++;
      limits = m.limits;
      driftLevels = m.driftLevels;
      training = [];
      events = [];
      rates = new Map();
      latent = [];
      alertCount = 0;
      lastModel = null;
      $('alerts').replaceChildren();
      if (!m.grid) {
        var waiting = document.createElement('p');
        waiting.className = 'empty';
        waiting.textContent = 'Waiting for images…';
        $('grid').replaceChildren(waiting);
        text('grid-version', '–');
        probe.counts.grid = 0;
      }
    }
    shownModel = m.modelName;
    if (m.training) { training = training.concat(m.training); trimFront(training, limits.chartPoints); }
    if (m.rates) {
      m.rates.forEach(function (r) { rates.set(r[0], r); });
      if (rates.size > limits.chartPoints) {
        var keys = Array.from(rates.keys()).sort(function (a, b) { return a - b; });
        keys.slice(0, keys.length - limits.chartPoints).forEach(function (k) { rates.delete(k); });
      }
    }
    if (m.latent) { latent = latent.concat(m.latent); trimFront(latent, limits.latentPoints); }
    if (m.alerts) m.alerts.forEach(addAlert);
    if (m.events) { events = events.concat(m.events); trimFront(events, limits.events); }
    if (m.type === 'snapshot' || m.events) {
      window.Charts.setMarkers(window.Events.markers(events, fmt));
      window.Events.drawList($('events'), events, fmt);
    }
    if (m.grid) drawGrid(m.grid);
    if (m.model) lastModel = m.model;
  }

  function sortedRates() {
    return Array.from(rates.values()).sort(function (a, b) { return a[0] - b[0]; });
  }

  function drawCharts(rows) {
    var t = training.map(function (p) { return p.t / 1000; });
    charts.training.setData([t,
      training.map(function (p) { return p.loss > 0 ? p.loss : null; }),
      training.map(function (p) { return p.threshold > 0 ? p.threshold : null; })]);

    var last = training.length ? training[training.length - 1] : null;
    charts.anomaly.setData(window.Alerting.chartColumns(rows, training, window.Alerting.target(lastModel, last)));

    var xs = rows.map(function (r) { return r[0]; });
    charts.throughput.setData(window.Charts.join([
      [xs, rows.map(function (r) { return r[1]; })],
      [t, training.map(function (p) { return p.trainedPerSecond == null ? null : p.trainedPerSecond; })]
    ]));
    probe.chartPoints = { training: charts.training.data[0].length, anomaly: charts.anomaly.data[0].length,
                          throughput: charts.throughput.data[0].length };
  }

  function drawKpis(m, rows) {
    var model = m.model;
    if (model) {
      text('model-arch', model.architecture + ' · ' + model.metric);
      text('model-version', 'v' + model.version);
      text('model-age', (model.warmedUp ? '' : 'warming up · ') + 'published ' + fmtAge(model.ageMs) + ' ago'
        + (model.rejectedSnapshots ? ' · ' + model.rejectedSnapshots + ' rejected' : ''));
    } else {
      text('model-arch', '');
      text('model-version', '–');
      text('model-age', 'no model yet');
    }
    probe.modelVersion = model ? model.version : 0;
    var last = training.length ? training[training.length - 1] : null;
    var seen = Math.max(last ? last.examplesSeen : 0, model ? model.examplesSeen : 0);
    text('examples', seen ? fmtInt(seen) : '–');
    text('steps', model ? fmtInt(model.steps) + ' optimiser steps' : '\u00a0');
    text('loss', last ? fmtNum(last.loss) : '–');
    text('trained-rate', last ? fmtNum(last.trainedPerSecond) : '–');
    text('trained-note', last ? 'reported ' + fmtAge(m.serverTime - last.t) + ' ago' : '\u00a0');

    // Rates from closed seconds only: the newest buckets are still filling.
    var closed = rows.filter(function (r) { return r[0] <= m.serverTime / 1000 - 2; });
    var recent = closed.slice(-3), minute = closed.slice(-60);
    var sum = function (a, k) { return a.reduce(function (s, r) { return s + r[k]; }, 0); };
    text('scored-rate', recent.length ? fmtNum(sum(recent, 1) / recent.length) : '–');
    text('scored-total', fmtInt(m.totals.scored) + ' in all');
    window.Alerting.draw(fmt, model, last, minute);
    window.Events.drawFigures(fmt, last, driftLevels);
    probe.trainingVersion = last ? last.modelVersion : 0;
    text('alerts-total', fmtInt(m.totals.alerts));
    text('dlq-count', fmtInt(m.totals.deadLetters));
    var reason = m.totals.lastDeadLetterReason;
    text('dlq-reason', reason ? 'last: ' + reason : 'none');
    $('dlq-reason').title = reason || '';
    probe.deadLetters = m.totals.deadLetters;
    probe.totals = m.totals;
  }

  function image(src, alt) {
    if (!src) {
      var missing = document.createElement('span');
      missing.className = 'missing';
      missing.textContent = 'not seen';
      missing.title = 'this image was read before the dashboard started or has left its memory';
      return missing;
    }
    var img = document.createElement('img');
    img.src = src;
    img.alt = alt;
    img.width = 56;
    img.height = 56;
    return img;
  }

  function addAlert(a) {
    var li = document.createElement('li');
    li.appendChild(image(a.original, 'original of ' + a.id));
    li.appendChild(image(a.reconstruction, 'reconstruction of ' + a.id));
    var info = document.createElement('div');
    info.className = 'info';
    var id = document.createElement('b');
    id.textContent = a.id;
    info.appendChild(id);
    if (a.label != null) {
      // Labels are whatever producers wrote: into the document as text only, never as markup.
      var label = document.createElement('span');
      label.className = 'alert-label';
      label.textContent = a.label;
      label.title = a.label;
      info.appendChild(label);
    }
    var line1 = document.createElement('span');
    line1.className = 'alert-score';
    line1.textContent = 'p ' + window.Alerting.pValue(a.pValue) + ' · ' + (a.metric || 'error') + ' '
      + fmtNum(a.error) + ' > ' + fmtNum(a.threshold);
    line1.title = 'p-value: the estimated share of normal images with an error at least this large';
    info.appendChild(line1);
    var line2 = document.createElement('span');
    line2.className = 'muted';
    line2.dataset.scoredAt = a.scoredAt;
    line2.dataset.text = 'scored by v' + a.scoredBy
      + (a.reconstructedWith >= 0 ? ' · drawn by v' + a.reconstructedWith : '');
    info.appendChild(line2);
    li.appendChild(info);
    var list = $('alerts');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > limits.alerts) list.removeChild(list.lastChild);
    alertCount = list.children.length;
  }

  function ageAlerts(now) {
    Array.prototype.forEach.call($('alerts').querySelectorAll('[data-scored-at]'), function (el) {
      text2(el, el.dataset.text + ' · ' + fmtAge(now - Number(el.dataset.scoredAt)) + ' ago');
    });
    $('alerts-empty').hidden = alertCount > 0;
  }
  function text2(el, value) { if (el.textContent !== value) el.textContent = value; }

  function drawGrid(grid) {
    var box = $('grid');
    var originals = document.createElement('div'), recons = document.createElement('div'), captions = document.createElement('div');
    originals.className = recons.className = 'row';
    captions.className = 'row captions';
    grid.cells.forEach(function (c) {
      originals.appendChild(image(c.original, 'original of ' + c.id));
      recons.appendChild(image(c.reconstruction, 'reconstruction of ' + c.id));
      var cap = document.createElement('span'), label = document.createElement('span');
      label.className = c.label != null ? 'cell-label' : 'muted';
      label.textContent = c.label != null ? c.label : 'no label';
      cap.append(label, document.createElement('br'), c.error != null ? c.error.toFixed(3) : '–');
      cap.title = c.id + (c.label != null ? ' · ' + c.label : '');
      captions.appendChild(cap);
    });
    var labels = document.createElement('div');
    labels.className = 'row-labels';
    ['original', 'reconstruction', 'label, error'].forEach(function (t) {
      var s = document.createElement('span');
      s.textContent = t;
      labels.appendChild(s);
    });
    var rows = document.createElement('div');
    rows.className = 'rows';
    rows.append(originals, recons, captions);
    box.replaceChildren(labels, rows);
    text('grid-version', grid.modelVersion >= 0 ? 'v' + grid.modelVersion : '(none yet)');
    probe.counts.grid = grid.cells.length;
  }

  /**
   * The selector and the overview: rebuilt when the set of models changes, their figures updated on
   * every event. Model names are producers' text: into the document as text only.
   */
  function drawModels(m) {
    var rows = m.models || [];
    var names = rows.map(function (r) { return r.name; });
    var key = names.join('\n') + '\n\n' + m.modelName;  // the lines and the model shown
    if (names.indexOf(m.modelName) < 0) names.push(m.modelName);  // asked for, nothing of it held yet
    var select = $('model-select'), body = $('models').tBodies[0];
    if (key !== modelNames) {
      modelNames = key;
      select.replaceChildren.apply(select, names.map(function (n) {
        var o = document.createElement('option');
        o.value = n;
        o.textContent = n;
        return o;
      }));
      select.value = m.modelName;
      body.replaceChildren.apply(body, rows.map(function (r) {
        var tr = document.createElement('tr');
        tr.dataset.model = r.name;
        tr.className = r.name === m.modelName ? 'selected' : '';
        for (var i = 0; i < 6; i++) tr.appendChild(document.createElement('td'));
        tr.addEventListener('click', function () { choose(r.name); });
        return tr;
      }));
    }
    rows.forEach(function (r, i) {
      var cells = body.rows[i].cells;
      text2(cells[0], r.name);
      cells[0].title = r.name;
      text2(cells[1], r.version ? 'v' + r.version : '–');
      text2(cells[2], fmtNum(r.imagesPerSecond));
      text2(cells[3], r.alertRate == null ? '–' : window.Alerting.pct(r.alertRate) + ' of ' + fmtInt(r.judged));
      text2(cells[4], r.driftPhase ? r.driftPhase.toLowerCase() : '–');
      text2(cells[5], r.lastSeen ? fmtAge(m.serverTime - r.lastSeen) + ' ago' : '–');
    });
    var dropped = m.totals.modelsDropped;
    text('models-note', '· ' + rows.length + (rows.length === 1 ? ' model' : ' models')
      + (dropped ? ' · ' + fmtInt(dropped) + ' dropped as idle beyond the cap of ' + limits.models : ''));
    // One model, as every single-model deployment: the selector says it all.
    $('models-card').hidden = rows.length <= 1 && !dropped;
    probe.shownModel = m.modelName;
    probe.models = rows;
  }

  /** Shows {@code name}: a new stream for it, whose first event (a snapshot) replaces everything. */
  function choose(name) {
    if (name === shownModel) return;
    requested = name;
    history.replaceState(null, '', '?model=' + encodeURIComponent(name));
    source.close();
    setConnection('switching…', '');
    connect();
  }

  /** The newest model's codes only (when asked): each version has its own coordinate system. */
  function drawLatent() {
    var newest = latent.reduce(function (v, p) { return Math.max(v, p[5]); }, 0);
    var shown = $('latent-newest').checked ? latent.filter(function (p) { return p[5] === newest; }) : latent;
    scatter.setPoints(shown);
    text('latent-count', fmtInt(shown.length));
    text('latent-source', !latent.length ? '' : $('latent-newest').checked ? '(scored by model v' + newest + ')'
      : '(scored by models v' + latent.reduce(function (v, p) { return Math.min(v, p[5]); }, newest) + '–v' + newest + ')');
    probe.counts.latentShown = shown.length;
  }

  function onEvent(ev) {
    var t0 = performance.now();
    var m = JSON.parse(ev.data);
    apply(m);
    var rows = sortedRates();
    drawCharts(rows);
    drawKpis(m, rows);
    drawModels(m);
    ageAlerts(m.serverTime);
    window.Events.age($('events'), m.serverTime, fmtAge);
    $('events-empty').hidden = events.length > 0;
    drawLatent();

    probe.messages++;
    eventTimes.push(t0);
    while (eventTimes.length && eventTimes[0] <= t0 - 1000) eventTimes.shift();
    // The first events after connecting may queue up while the scripts load; count from the third.
    if (probe.messages > 2) probe.maxEventsPerSecond = Math.max(probe.maxEventsPerSecond, eventTimes.length);
    probe.maxLatent = Math.max(probe.maxLatent, latent.length);
    probe.counts = { training: training.length, rates: rates.size, latent: latent.length, alerts: alertCount,
                     grid: probe.counts.grid, latentShown: probe.counts.latentShown, events: events.length };
    probe.maxHandleMs = Math.max(probe.maxHandleMs, performance.now() - t0);
  }

  function connect() {
    source = new EventSource('/events' + (requested ? '?model=' + encodeURIComponent(requested) : ''));
    source.onopen = function () { setConnection('live', 'live'); };
    source.onerror = function () { setConnection('reconnecting…', 'down'); };
    source.onmessage = onEvent;
  }

  function setConnection(label, cls) {
    var el = $('connection');
    el.textContent = label;
    el.className = 'connection ' + cls;
  }

  $('latent-newest').addEventListener('change', drawLatent);
  $('model-select').addEventListener('change', function () { choose($('model-select').value); });
  connect();
})();
