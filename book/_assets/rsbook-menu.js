// The chapter list on phones and tablets. pydata-sphinx-theme 0.17 and sphinx-book-theme 1.3 each bind their
// sidebar toggle to the first element with class "primary-toggle" (or "secondary-toggle"); since 0.17 the page
// has two of each, and the one a reader sees below 992 px is the second, which had no listener, so the menu
// button did nothing (pydata/pydata-sphinx-theme#2451). Every other toggle now passes its click to the first.
(function () {
  function forward(selector) {
    var toggles = document.querySelectorAll(selector);
    for (var i = 1; i < toggles.length; i++) {
      toggles[i].addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        toggles[0].click();
      });
    }
  }
  function setup() {
    forward(".primary-toggle");
    forward(".secondary-toggle");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
