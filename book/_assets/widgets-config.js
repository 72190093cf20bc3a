// Loaded after require.js and before the widget manager: point require.js at the widget modules that
// are served with the book (see the Makefile's vendor step), so that no page fetches code from a CDN.
(function () {
  var here = document.currentScript.src;
  var vendor = here.substring(0, here.lastIndexOf("/") + 1) + "rsbook-vendor/";
  window.require.config({ paths: { anywidget: vendor + "anywidget/index" } });
})();
