// Loaded after require.js and before the widget manager (see nb_ipywidgets_js in _config.yml).
// Everything the widgets need is served with the book (copied by the Makefile's vendor step), so no
// page fetches code or fonts from a CDN.
(function () {
  var here = document.currentScript.src;
  var vendor = here.substring(0, here.lastIndexOf("/") + 1) + "rsbook-vendor/";

  window.require.config({
    paths: {
      // A widget module the html-manager does not bundle (plotly's FigureWidget is an anywidget).
      anywidget: vendor + "anywidget/index",
      // Bundled in embed-amd.js, but the module's address is where it looks for its fonts (Font
      // Awesome): without this it asks for <page folder>/@jupyter-widgets/html-manager/dist/*.woff2.
      "@jupyter-widgets/html-manager/dist": vendor + "html-manager",
      // The same for the module embed-amd.js also defines under this name: it runs when a page goes live
      // (rsbook-live.js loads thebe beside the widget manager) and would ask for <page folder>/@jupyter-widgets/*.
      "@jupyter-widgets/html-manager": vendor + "html-manager/html-manager",
    },
  });
  window.__jupyter_widgets_assets_path__ = vendor + "html-manager/";

  // ipywidgets typesets descriptions with MathJax 2's `MathJax.Hub.Queue`; the book loads MathJax 3,
  // which has no Hub. Provide one that forwards to MathJax 3. Before MathJax has loaded, the page's
  // own first typesetting pass covers what widgets render, so nothing needs doing.
  var hub = {
    Queue: function () {
      var mj = window.MathJax;
      if (!mj || !mj.typesetPromise) return;
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset") {
          mj.typesetPromise(job[2] ? [job[2]] : undefined).catch(function (e) { console.warn(e); });
        } else if (typeof job === "function") {
          job();
        }
      }
    },
  };
  var config = (window.MathJax = window.MathJax || {});  // MathJax 3 reads this as its configuration
  config.Hub = hub;
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) ready(); else window.MathJax.startup.defaultReady();
    window.MathJax.Hub = hub;
  };
})();
