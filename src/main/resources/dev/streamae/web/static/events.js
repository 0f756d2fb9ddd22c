// Drift and feedback: what the trainer reports on model-events (a change of "normal" suspected,
// dismissed or confirmed; the calibration re-fitted; learning held and resumed) and, with every
// snapshot, the drift detector's state and the precision operators' verdicts give the alerts.
// Events are marked on the charts (via Charts.setMarkers) and listed; the state and the precision
// are two of the key figures. Event types are written by the trainer: shown as text only, and a
// kind this page does not know yet is shown as it came, in grey.
(function () {
  'use strict';

  // Colours away from the charts' series colours (charts.js), so a marker is never read as a series.
  var KINDS = {
    DRIFT_SUSPECTED: { label: 'drift suspected', colour: '#e69f00' },
    DRIFT_DISMISSED: { label: 'drift dismissed', colour: '#7a8793' },
    DRIFT_CONFIRMED: { label: 'drift confirmed', colour: '#b5004b' },
    RECALIBRATED: { label: 'recalibrated', colour: '#00877f' },
    LEARNING_HELD: { label: 'learning held', colour: '#3d3d9e' },
    LEARNING_RESUMED: { label: 'learning resumed', colour: '#4f8a10' }
  };
  var UNKNOWN = '#555555';

  function kind(type) {
    return KINDS[type] || { label: String(type).toLowerCase().replace(/_/g, ' '), colour: UNKNOWN };
  }

  /** What an event says beyond its kind, in one line. */
  function detail(e, fmt) {
    var parts = ['model v' + e.modelVersion, 'image ' + fmt.fmtInt(e.imagesJudged)];
    if (e.changeAt < e.imagesJudged) parts[1] += ' (change from ' + fmt.fmtInt(e.changeAt) + ')';
    if (e.statistic != null && e.threshold) parts.push('statistic ' + fmt.fmtNum(e.statistic) + ' of ' + fmt.fmtInt(e.threshold));
    if (e.policy) parts.push('policy ' + e.policy);
    return parts.join(' · ');
  }

  /** Chart markers for the events, oldest first. */
  function markers(events, fmt) {
    return events.map(function (e) {
      var k = kind(e.type);
      return { t: e.t / 1000, type: e.type, label: k.label, colour: k.colour, title: k.label + ': ' + detail(e, fmt) };
    });
  }

  /** The list, newest first, rebuilt only when the events changed; ages are refreshed by age(). */
  function drawList(list, events, fmt) {
    var items = events.slice().reverse().map(function (e) {
      var k = kind(e.type);
      var li = document.createElement('li');
      li.dataset.type = e.type;
      var dot = document.createElement('i');
      dot.style.background = k.colour;
      var name = document.createElement('b');
      name.textContent = k.label;
      name.style.color = k.colour;
      var info = document.createElement('span');
      info.className = 'muted';
      info.textContent = detail(e, fmt);
      var when = document.createElement('span');
      when.className = 'muted event-age';
      when.dataset.t = e.t;
      li.append(dot, name, info, when);
      return li;
    });
    list.replaceChildren.apply(list, items);
  }

  function age(list, now, fmtAge) {
    Array.prototype.forEach.call(list.querySelectorAll('[data-t]'), function (el) {
      var value = fmtAge(now - Number(el.dataset.t)) + ' ago';
      if (el.textContent !== value) el.textContent = value;
    });
  }

  /**
   * The drift detector's state and the operators' precision from the newest training report.
   * levels: { suspect, confirm } of the detector, from the server; last: the report, or null.
   */
  function drawFigures(ui, last, levels) {
    var text = ui.text, reported = last && last.driftPolicy != null;
    var phase = reported ? String(last.driftPhase || 'STABLE').toLowerCase() : null;
    text('drift-policy', reported ? ' · policy ' + last.driftPolicy : '');
    text('drift-phase', phase || '–');
    document.getElementById('drift-phase').className = phase ? 'drift-' + phase : '';
    // The level the statistic is heading for: suspect from stable, confirm from suspected.
    var next = phase === 'stable' ? levels.suspect : phase === 'suspected' ? levels.confirm : null;
    var statistic = reported ? ui.fmtNum(last.driftStatistic || 0) + (next != null ? ' of ' + ui.fmtInt(next) : '') : '';
    text('drift-note', !reported ? 'not reported by this trainer'
      : last.learningHeld ? 'learning held · ' + statistic : 'statistic ' + statistic);
    document.getElementById('drift-note').title = reported ? 'drift statistic ' + statistic
      + (last.learningHeld ? '; learning from the stream is held until it returns to normal' : '') : '';
    var normal = last ? last.feedbackNormal || 0 : 0, anomaly = last ? last.feedbackAnomaly || 0 : 0;
    text('precision', last && last.precision != null ? window.Alerting.pct(last.precision) : '–');
    text('verdicts', normal + anomaly ? ui.fmtInt(anomaly) + ' anomaly · ' + ui.fmtInt(normal) + ' normal verdicts'
      : 'no verdicts yet');
  }

  window.Events = { kind: kind, markers: markers, drawList: drawList, age: age, drawFigures: drawFigures };
})();
