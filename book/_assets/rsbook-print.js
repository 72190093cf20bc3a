// Fitting wide content to the page, on screen and in print.
// - Display equations wider than the text column (a phone, a narrow window, the printed page) are scaled
//   down to fit, to no less than 55% of their size; below that they scroll.
// - Printing: every plotly figure takes the printed page's width (rsbook.css hides its controls), and gets
//   its screen size back afterwards.
(function () {
  var MIN_SCALE = 0.55;
  function fitEquations() {
    document.querySelectorAll('mjx-container[display="true"]').forEach(function (eq) {
      eq.style.fontSize = "";
      var room = eq.parentElement ? eq.parentElement.clientWidth : eq.clientWidth;
      if (room > 0 && eq.scrollWidth > room + 1) {
        eq.style.fontSize = Math.max(MIN_SCALE, room / eq.scrollWidth) * 100 + "%";
      }
    });
  }
  function resizeFigures() {
    if (!window.Plotly) { return; }
    document.querySelectorAll(".js-plotly-plot").forEach(function (graph) { window.Plotly.Plots.resize(graph); });
  }
  function whenTypeset() {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(fitEquations);
    }
  }
  window.rsbookFitEquations = fitEquations;
  window.addEventListener("load", whenTypeset);
  window.addEventListener("resize", fitEquations);
  window.addEventListener("beforeprint", function () { resizeFigures(); fitEquations(); });
  window.addEventListener("afterprint", function () { resizeFigures(); fitEquations(); });
})();
