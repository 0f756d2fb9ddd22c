// The alerting figures, side by side because they explain one another: what the user set (the
// false-alarm target: the share of normal images allowed to raise an alert), what the trainer
// estimates (the contamination: the share of anomalies among the images it learns from), and what
// is observed (the share of images flagged, by the trainer on its training images and by the
// scorer on everything it scores). On a stream with a share c of anomalies, alerts come from the
// normal images at the target rate and from the anomalies caught, so the alert rate should lie
// between target × (1 − c) (no anomaly caught) and target × (1 − c) + c (all caught). Far above
// that points at drift or a stale calibration; near the bottom, at anomalies the model reconstructs
// too well.
(function () {
  'use strict';

  /** A fraction as a percentage with the digits a rate of alerts needs: 5.2 %, 0.50 %, 0.012 %. */
  function pct(v) {
    if (v == null || !isFinite(v)) return '–';
    var x = 100 * v;
    return (x === 0 ? '0' : x >= 1 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)) + ' %';
  }

  /** p-values of alerts are small and span decades: 0.0031, 4.2e-6. */
  function pValue(p) {
    return p == null || !isFinite(p) ? '–' : p >= 0.001 ? p.toPrecision(2) : p.toExponential(1);
  }

  /** Rows are [second, scored, anomalies, judged]; only images judged by an alerting model count. */
  function scorerRate(rows) {
    var anomalies = 0, judged = 0;
    rows.forEach(function (r) { anomalies += r[2]; judged += r[3]; });
    return { rate: judged ? anomalies / judged : null, judged: judged };
  }

  /** The target the trainer published (what it calibrates for), else the one the dashboard reads models at. */
  function target(model, last) {
    return last ? last.falseAlarmRate : model ? model.falseAlarmRate : null;
  }

  /** The anomaly chart's columns: scorer % per second, trainer % and contamination % per report, target %. */
  function chartColumns(rows, training, targetRate) {
    var percent = function (v) { return v == null ? null : 100 * v; };
    var data = window.Charts.join([
      [rows.map(function (r) { return r[0]; }), rows.map(function (r) { return r[3] ? 100 * r[2] / r[3] : null; })],
      [training.map(function (p) { return p.t / 1000; }),
        training.map(function (p) { return percent(p.alertRate); }),
        training.map(function (p) { return percent(p.contamination); })]
    ]);
    data.push(data[0].map(function () { return percent(targetRate); }));
    return data;
  }

  /**
   * The threshold, target, contamination and both alert rates, and the line that relates them.
   * ui: the page's text setter and number formats; last: the newest training report, or null.
   */
  function draw(ui, model, last, minuteRows) {
    var text = ui.text;
    var alerting = model && model.warmedUp && model.threshold != null;
    var rate = target(model, last);
    var c = model && model.contamination != null ? model.contamination : last ? last.contamination : null;
    var scorer = scorerRate(minuteRows);
    var trainer = last ? last.alertRate : null;
    text('threshold', alerting ? ui.fmtNum(model.threshold) : '–');
    text('threshold-note', alerting ? 'at a ' + pct(model.falseAlarmRate) + ' false-alarm rate'
      : 'set once warmed up and calibrated');
    text('target-rate', pct(rate));
    text('contamination', pct(c));
    text('contamination-note', c == null ? 'with the first calibration'
      : 'of training images' + (model && model.contamination != null ? ', model v' + model.version : ''));
    text('scorer-alert-rate', pct(scorer.rate));
    text('scorer-alert-note', scorer.judged ? 'of ' + ui.fmtInt(scorer.judged) + ' images, last 60 s'
      : 'no alerting model in the last 60 s');
    text('trainer-alert-rate', pct(trainer));
    text('trainer-alert-note', trainer == null ? 'none judged yet' : 'of training images, latest report');
    var why = 'Alert rate ≈ the false-alarm rate on normal images + the anomalies caught';
    if (rate != null && c != null) {
      why += ': at a ' + pct(rate) + ' target and ' + pct(c) + ' anomalies, expect ' + pct(rate * (1 - c))
        + ' (none caught) to ' + pct(rate * (1 - c) + c) + ' (all caught); scorer ' + pct(scorer.rate)
        + ', trainer ' + pct(trainer) + '.';
    } else {
      why += '. The contamination estimate comes with the first calibrated model.';
    }
    text('alert-explain', why);
  }

  window.Alerting = { pct: pct, pValue: pValue, scorerRate: scorerRate, target: target, chartColumns: chartColumns,
                      draw: draw };
})();
