// In the static book, ipywidgets show the state they had when the book was built: moving a slider or
// pressing a button does nothing, because no Python kernel runs behind the page. Say so at each widget,
// so that a frozen control is never mistaken for a broken one. (Plotly sliders, which work in the page,
// are not widgets and get no label.) Jupyter, where the widgets are live, does not load this file.
// The Live button (rsbook-live.js) reports its progress with "rsbook:live" events: while it connects and
// runs the chapter the label says the widget is about to be replaced; each cell's live output then takes
// the place of the frozen one, label included. If the page does not go live, the label says "frozen" again.
(function () {
  var VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';
  var FROZEN = "Frozen in this page: the controls below show the state they had when the book was built " +
    "and do not respond. To use them, press Live at the top of the page (the book served by make serve), or " +
    "run the chapter in Jupyter (make live, or the .ipynb download).";
  var WAITING = "Going live: this widget is replaced by a working one when the kernel has run its cell.";

  function label() {
    document.querySelectorAll(VIEW).forEach(function (view) {
      var output = view.parentElement;
      if (!output || output.querySelector(":scope > .rsbook-frozen-widget")) { return; }
      var note = document.createElement("p");
      note.className = "rsbook-frozen-widget";
      note.setAttribute("role", "note");
      note.textContent = FROZEN;
      output.insertBefore(note, output.firstChild);
    });
  }

  function relabel(event) {
    var state = event.detail && event.detail.state;
    var waiting = state === "connecting" || state === "running";
    document.querySelectorAll(".rsbook-frozen-widget").forEach(function (note) {
      note.textContent = waiting ? WAITING : FROZEN;
      note.classList.toggle("rsbook-going-live", waiting);
    });
  }

  document.addEventListener("rsbook:live", relabel);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", label);
  } else {
    label();
  }
})();
