// Search results without TeX source. Sphinx's search page quotes a snippet of each matching page's HTML text,
// where equations are still TeX ("\(\ell_1\)"); MathJax does not run on the snippets. The equations are
// turned into plain Unicode first ("ℓ₁"). Titles need nothing: the book writes them in Unicode.
(function () {
  var SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", Delta: "Δ", epsilon: "ε", varepsilon: "ε", eta: "η",
    theta: "θ", lambda: "λ", mu: "μ", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", Phi: "Φ", psi: "ψ",
    Upsilon: "Υ", xi: "ξ", zeta: "ζ", kappa: "κ", nu: "ν", omega: "ω", chi: "χ", iota: "ι", varphi: "φ",
    vartheta: "θ", varrho: "ρ", Gamma: "Γ", Theta: "Θ", Lambda: "Λ", Xi: "Ξ", Pi: "Π", Sigma: "Σ", Psi: "Ψ",
    Omega: "Ω", ell: "ℓ", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", infty: "∞",
    cdot: "·", times: "×", in: "∈", notin: "∉", subseteq: "⊆", cap: "∩", cup: "∪", emptyset: "∅", to: "→",
    mapsto: "↦", sum: "Σ", prod: "Π", int: "∫", partial: "∂", nabla: "∇", mid: "|", lVert: "‖", rVert: "‖",
    downarrow: "↓", uparrow: "↑", top: "ᵀ", dots: "…", ldots: "…", quad: " ", qquad: " ", log: "log", exp: "exp",
    max: "max", min: "min", sup: "sup", inf: "inf", lim: "lim", arg: "arg", Pr: "Pr", cosh: "cosh", sinh: "sinh",
    tanh: "tanh", forall: "∀", exists: "∃", sim: "∼", propto: "∝", equiv: "≡", pm: "±", circ: "∘", neg: "¬",
    rightarrow: "→", Rightarrow: "⇒", leftarrow: "←", iff: "⟺", implies: "⟹", langle: "⟨", rangle: "⟩",
    lfloor: "⌊", rfloor: "⌋", lceil: "⌈", rceil: "⌉", ll: "≪", gg: "≫", ast: "∗", setminus: "∖", subset: "⊂",
    supset: "⊃", wedge: "∧", vee: "∨", perp: "⊥", cdots: "⋯", prime: "′", vert: "|", lvert: "|", rvert: "|",
    Vert: "‖"
  };
  var SUBSCRIPTS = {"0": "₀", "1": "₁", "2": "₂", "3": "₃", "4": "₄", "5": "₅", "6": "₆", "7": "₇", "8": "₈", "9": "₉"};
  var GROUP = "\\{([^{}]*)\\}";  // a brace group with no group inside: nested ones go first, innermost out
  // Commands whose argument is the text itself, and commands that only size or space: neither shows a name.
  var WRAPPERS = "underline|overline|mathcal|mathrm|mathbf|mathit|mathsf|text|textrm|textit|textbf|"
    + "operatorname\\*?|boldsymbol|hat|widehat|tilde|widetilde|bar|vec|mbox";
  var SIZES = /\\(?:left|right|middle|[bB]igg?[lrm]?)(?![A-Za-z])\s*(\\[{}|]|[.])?/g;

  // one symbol, number, name or function value (\sigma, 12, T(z)) needs no parentheses around it
  var ATOM = /^\s*(?:\\?[A-Za-z]+|[0-9.]+|.|\\?[A-Za-z]+\([^()]*\)|\([^()]*\))\s*$/;
  function around(x) { return ATOM.test(x) ? x.trim() : "(" + x + ")"; }

  function reduceGroups(text) {
    var before;
    do {  // repeat until nothing changes, so that \frac{m}{2\sqrt{2/\pi}} resolves from the inside
      before = text;
      text = text
        .replace(new RegExp("\\\\[dt]?frac" + GROUP + GROUP, "g"), function (m, a, b) { return around(a) + "/" + around(b); })
        .replace(new RegExp("\\\\[dt]?binom" + GROUP + GROUP, "g"), "C($1, $2)")
        .replace(new RegExp("\\\\sqrt" + GROUP, "g"), function (m, x) { return "√" + around(x); })
        .replace(new RegExp("\\\\mathbb" + GROUP, "g"), function (m, x) { return x === "P" ? "ℙ" : x === "R" ? "ℝ" : x === "E" ? "𝔼" : x; })
        .replace(new RegExp("\\\\(?:" + WRAPPERS + ")" + GROUP, "g"), "$1")
        .replace(new RegExp("\\\\(?:begin|end)" + GROUP, "g"), " ")
        .replace(new RegExp("\\^" + GROUP, "g"), function (m, x) { return "^" + around(x); })
        .replace(new RegExp("_" + GROUP, "g"), function (m, x) { return "_" + around(x); })
        .replace(new RegExp("(^|[^\\\\A-Za-z}])" + GROUP, "g"), "$1$2");  // a bare group: {x} is x
    } while (text !== before);
    return text;
  }

  function texToPlain(tex) {
    var text = tex.replace(/^\s*(\\\(|\\\[|\$\$?)/, "").replace(/(\\\)|\\\]|\$\$?)\s*$/, "");
    text = text.replace(SIZES, function (m, delimiter) { return delimiter && delimiter !== "." ? delimiter : ""; })
      .replace(/\\[dt]?frac\s*([0-9A-Za-z])\s*([0-9A-Za-z])/g, "$1/$2")  // \tfrac12: one-token arguments
      .replace(/\\sqrt\s*([0-9A-Za-z])/g, "√$1")
      .replace(/\\\{/g, "⦃").replace(/\\\}/g, "⦄")  // literal braces survive the group rules
      // symbols first, so that a symbol stays apart from what a group rule leaves after it (\ge\overline{p})
      .replace(/\\([A-Za-z]+)(?=(\\[A-Za-z])?)/g, function (m, name, command) {
        return SYMBOLS.hasOwnProperty(name) ? SYMBOLS[name] + (command ? " " : "") : m;
      });
    text = reduceGroups(text)
      .replace(/\\\|/g, "‖").replace(/\\[,;:! ]/g, " ").replace(/\\\\/g, " ")
      .replace(/\\[A-Za-z]+/g, "")  // a command it does not know (\displaystyle, \mathop) shows nothing
      .replace(/_([0-9])/g, function (m, d) { return SUBSCRIPTS[d]; })
      .replace(/[{}&]/g, "").replace(/\\/g, "").replace(/⦃/g, "{").replace(/⦄/g, "}")
      .replace(/\s+/g, " ").trim();
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
