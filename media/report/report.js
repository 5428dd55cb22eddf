// The report webview's only script (loaded with the page's CSP nonce). It forwards button clicks to the
// extension and reports back what the page actually drew, read from its own DOM.
(function () {
  'use strict';
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-action]') : null;
    if (!target) return;
    event.preventDefault();
    vscode.postMessage({ type: 'action', action: target.getAttribute('data-action') });
  });

  function themeOf(body) {
    const match = /vscode-(high-contrast-light|high-contrast|light|dark)/.exec(body.className);
    return match ? match[0] : '';
  }

  function report() {
    const body = document.body;
    const firstChart = document.querySelector('svg.sb-chart');
    const box = firstChart ? firstChart.getBoundingClientRect() : { width: 0, height: 0 };
    const title = document.querySelector('h1');
    vscode.postMessage({
      type: 'rendered',
      renderId: body.getAttribute('data-render-id') || '',
      title: title ? title.textContent || '' : '',
      bandIds: Array.from(document.querySelectorAll('[data-band-id]')).map((el) => el.getAttribute('data-band-id') || ''),
      charts: document.querySelectorAll('svg.sb-chart').length,
      bars: document.querySelectorAll('svg.sb-bars').length,
      spendLines: document.querySelectorAll('polyline.sb-spend').length,
      outlierRows: document.querySelectorAll('tr.sb-outlier').length,
      theme: themeOf(body),
      chartWidth: Math.round(box.width),
      chartHeight: Math.round(box.height),
      elements: document.getElementsByTagName('*').length,
    });
  }

  // after layout, so the chart's size is real
  requestAnimationFrame(() => requestAnimationFrame(report));
})();
