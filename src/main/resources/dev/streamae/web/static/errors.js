// Collects every error the page raises (script errors, failed resource loads, unhandled promise
// rejections) in window.__dashErrors, shown in the header and read by the browser test.
(function () {
  'use strict';
  var errors = window.__dashErrors = [];
  window.addEventListener('error', function (e) {
    var target = e.target && e.target !== window ? (e.target.src || e.target.href || e.target.tagName) : null;
    errors.push(target ? 'failed to load ' + target
      : String(e.message) + ' at ' + (e.filename || '?') + ':' + (e.lineno || '?'));
  }, true);
  window.addEventListener('unhandledrejection', function (e) {
    errors.push('unhandled rejection: ' + (e.reason && e.reason.stack || e.reason));
  });
})();
