// In the static book, ipywidgets show the state they had when the book was built: moving a slider or
// pressing a button does nothing, because no Python kernel runs behind the page. Say so at each widget,
// so that a frozen control is never mistaken for a broken one. (Plotly sliders, which work in the page,
// are not widgets and get no label.) Jupyter, where the widgets are live, does not load this file.
(function () {
  var VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';
  function label() {
    document.querySelectorAll(VIEW).forEach(function (view) {
      var output = view.parentElement;
      if (!output || output.querySelector(":scope > .rsbook-frozen-widget")) { return; }
      var note = document.createElement("p");
      note.className = "rsbook-frozen-widget";
      note.setAttribute("role", "note");
      note.textContent = "Frozen in this page: the controls below show the state they had when the book was " +
        "built and do not respond. To use them, run the chapter in Jupyter (make live, or the .ipynb download).";
      output.insertBefore(note, output.firstChild);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", label);
  } else {
    label();
  }
})();
