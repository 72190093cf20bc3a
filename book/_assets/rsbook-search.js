// Search results without TeX source. Sphinx's search page quotes a snippet of each matching page's HTML text,
// where equations are still TeX ("\(\ell_1\)"); MathJax does not run on the snippets. The equations are
// turned into plain Unicode first ("ℓ₁"). Titles need nothing: the book writes them in Unicode.
(function () {
  var SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", Delta: "Δ", epsilon: "ε", varepsilon: "ε", eta: "η",
    theta: "θ", lambda: "λ", mu: "μ", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", Phi: "Φ", psi: "ψ",
    Upsilon: "Υ", ell: "ℓ", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", infty: "∞",
    cdot: "·", times: "×", in: "∈", notin: "∉", subseteq: "⊆", cap: "∩", cup: "∪", emptyset: "∅", to: "→",
    mapsto: "↦", sum: "Σ", prod: "Π", sqrt: "√", partial: "∂", nabla: "∇", mid: "|", lVert: "‖", rVert: "‖",
    downarrow: "↓", uparrow: "↑", top: "ᵀ", dots: "…", ldots: "…", quad: " ", qquad: " ", log: "log", exp: "exp",
    max: "max", min: "min", sup: "sup", inf: "inf"
  };
  var SUBSCRIPTS = {"0": "₀", "1": "₁", "2": "₂", "3": "₃", "4": "₄", "5": "₅", "6": "₆", "7": "₇", "8": "₈", "9": "₉"};
  var GROUP = "\\{([^{}]*)\\}";

  function texToPlain(tex) {
    var text = tex.replace(/^\s*(\\\(|\\\[|\$\$?)/, "").replace(/(\\\)|\\\]|\$\$?)\s*$/, "");
    text = text.replace(new RegExp("\\\\frac" + GROUP + GROUP, "g"), "($1)/($2)")
      .replace(new RegExp("\\\\(?:mathbb)" + GROUP, "g"), function (m, x) { return x === "P" ? "ℙ" : x === "R" ? "ℝ" : x; })
      .replace(new RegExp("\\\\(?:underline|overline|mathcal|mathrm|mathbf|text|operatorname\\*?|boldsymbol|hat|tilde|bar)" + GROUP, "g"), "$1")
      .replace(/\\\|/g, "‖").replace(/\\[,;:! ]/g, " ")
      .replace(/\\([A-Za-z]+)/g, function (m, name) { return SYMBOLS.hasOwnProperty(name) ? SYMBOLS[name] : name; })
      .replace(/_\{?([0-9])\}?/g, function (m, d) { return SUBSCRIPTS[d]; })
      .replace(/[{}]/g, "").replace(/\\/g, "");
    return text;
  }
  window.rsbookTexToPlain = texToPlain;

  function patch() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.rsbookPatched) { return; }
    var original = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".math").forEach(function (el) { el.textContent = texToPlain(el.textContent); });
      return original(doc.documentElement.outerHTML, anchor);
    };
    Search.rsbookPatched = true;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", patch);
  } else {
    patch();
  }
})();
