// Draws every <canvas data-chart="<Chart.js config as JSON>"> of a report page with Chart.js
// (served by our server from node_modules: the pages work offline).
(function () {
  'use strict';
  if (typeof Chart === 'undefined') return;
  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var config = JSON.parse(canvas.getAttribute('data-chart'));
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    new Chart(canvas, config);
    canvas.setAttribute('data-drawn', '1');
  });
})();
