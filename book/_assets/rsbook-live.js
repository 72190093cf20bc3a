// The Live button of every chapter. Pressed, it connects the page to the Jupyter server that `make serve`
// starts beside the book (scripts/serve_book.py), runs the chapter's code cells in a kernel there, one after
// another, and puts each cell's new output in place of the one frozen at build time: the ipywidgets then
// recompute with rslib, in the kernel, whenever a control moves.
//
// The kernel is reached with thebe 0.9 (thebe-core 0.5: ipywidgets 8, a plain Jupyter server through
// `serverSettings`), vendored from npm like the rest of the book's JavaScript and loaded only when Live is
// pressed. The page learns the server's address and token from <book>/_live/config.json, which only
// serve_book.py answers, and only to pages of its own origin (see that file for why this is safe). Served
// any other way (make book's files, a static host), the config is missing and the button says how to start
// the server instead. Nothing here contacts anything but the book's server and that Jupyter server.
(function () {
  "use strict";
  var START_COMMAND = "make serve";
  var here = document.currentScript.src;
  var STATIC = here.substring(0, here.lastIndexOf("/") + 1); // <book>/_static/
  var ROOT = new URL("../", STATIC).href;
  var THEBE = STATIC + "rsbook-vendor/thebe/";
  var VENDOR = STATIC + "rsbook-vendor/";
  var CELLS = "article.bd-article div.cell"; // myst-nb's code cells, in page order
  var REMOVED = "remove-cell"; // a cell the static page leaves out (an explorer only a kernel can draw)

  var ui = {}; // button, status
  var running = null; // the thebe session once connected

  // ------------------------------------------------------------------ page facts

  // "book/01_neyman_pearson" for <book>/book/01_neyman_pearson.html: the chapter's source path without suffix.
  function pageName() {
    var path = decodeURIComponent(new URL(location.href).pathname);
    var root = decodeURIComponent(new URL(ROOT).pathname);
    var name = path.indexOf(root) === 0 ? path.substring(root.length) : path.replace(/^\//, "");
    if (name === "" || name.endsWith("/")) name += "index";
    return name.replace(/\.html$/, "");
  }

  function bookAddress() {
    return "http://127.0.0.1:8000/" + pageName() + ".html";
  }

  // ------------------------------------------------------------------ what the reader sees

  function emit(state) {
    document.dispatchEvent(new CustomEvent("rsbook:live", { detail: { state: state } }));
  }

  function say(kind, parts) {
    var status = ui.status;
    status.hidden = false;
    status.className = "rsbook-live-status rsbook-live-" + kind;
    status.textContent = "";
    parts.forEach(function (part) {
      if (typeof part === "string") {
        status.appendChild(document.createTextNode(part));
      } else {
        var el = document.createElement(part.tag);
        el.textContent = part.text;
        status.appendChild(el);
      }
    });
  }

  function setButton(state) {
    var labels = { idle: "Live", connecting: "Connecting…", running: "Running…", live: "Live: on" };
    ui.button.dataset.state = state;
    ui.button.querySelector(".rsbook-live-label").textContent = labels[state];
    ui.button.disabled = state === "connecting" || state === "running" || state === "live";
    ui.button.setAttribute("aria-pressed", state === "live" ? "true" : "false");
  }

  function howToStart(reason) {
    setButton("idle");
    emit("offline");
    say("offline", [
      "No live server for this page (" + reason + "). To run this chapter in a Jupyter kernel, start the book's " +
        "server from the repository's folder with ",
      { tag: "code", text: START_COMMAND },
      ", open the page at the address it prints (",
      { tag: "code", text: bookAddress() },
      ") and press Live again.",
    ]);
  }

  // After the page went live: the kernel died, or the server went away (make serve stopped).
  function lost(session, reason) {
    if (running !== session) return;
    running = null;
    failed("The kernel stopped (" + reason + "): the widgets no longer respond.");
  }

  // jupyterlab's kernel connection reconnects by itself after a dropped websocket ("connecting"); it says
  // "disconnected" only once it gave up or was disposed.
  function watch(session) {
    session.kernel.statusChanged.connect(function (_, status) {
      if (status === "dead") lost(session, "the kernel died");
    });
    session.kernel.connectionStatusChanged.connect(function (_, status) {
      if (status === "disconnected") lost(session, "the connection to the live server closed");
    });
  }

  function failed(message) {
    setButton("idle");
    emit("failed");
    say("failed", [message + " Press Live to start again with a new kernel."]);
  }

  // ------------------------------------------------------------------ the server's configuration

  function NoServer(reason) {
    this.reason = reason;
  }

  async function liveConfig() {
    var response;
    try {
      response = await fetch(ROOT + "_live/config.json", { cache: "no-store", credentials: "same-origin" });
    } catch (err) {
      throw new NoServer("the page's server did not answer");
    }
    if (response.status === 403) {
      var refusal = await response.json().catch(function () { return {}; });
      throw new NoServer(refusal.error || "the live server refused this address");
    }
    if (!response.ok) throw new NoServer("the page is served without " + START_COMMAND);
    var config = await response.json().catch(function () { return null; });
    if (!config || !config.baseUrl || !config.token) throw new NoServer("its live configuration is incomplete");
    return config;
  }

  // ------------------------------------------------------------------ loading thebe (and require.js)

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  function loadStyle(href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  // Widget modules other than ipywidgets' own (anywidget, for plotly's FigureWidget) load through require.js
  // with the book's local paths (widgets-config.js); pages without static widgets do not have it yet. It must
  // be there before thebe, which registers its ipywidgets modules with require.js as it loads.
  async function loadThebe() {
    if (window.thebeCore) return window.thebeCore;
    if (!window.requirejs) {
      await loadScript(VENDOR + "requirejs/require.js");
      await loadScript(STATIC + "widgets-config.js");
    }
    loadStyle(THEBE + "thebe.css");
    await loadScript(THEBE + "index.js");
    if (!window.thebeCore) throw new Error("thebe loaded without its core");
    return window.thebeCore;
  }

  // thebe-core fetches require.js from a CDN before it loads any widget class, and falls back to a CDN for
  // modules require.js has not loaded yet. Give it the page's require.js instead, told that every module is
  // local: a module the book does not serve then fails with an error, and nothing leaves the machine.
  function usePageRequire(manager) {
    var loader = manager._loader;
    if (!loader || typeof loader.resolveFn !== "function") {
      throw new Error("thebe's widget manager changed (no _loader): vendored thebe version not supported");
    }
    var pageRequire = function () { return window.requirejs.apply(window, arguments); };
    pageRequire.defined = function () { return true; };
    pageRequire.config = function () {};
    loader.requested = true;
    loader.requirejs = { require: pageRequire, define: window.define };
    loader.resolveFn(loader.requirejs);
  }

  // Outputs that carry TeX are typeset by the MathJax 3 the book already loads (thebe would fetch MathJax 2).
  var typesetter = {
    typeset: function (node) {
      if (window.MathJax && window.MathJax.typesetPromise) {
        window.MathJax.typesetPromise([node]).catch(function (err) { console.warn(err); });
      }
    },
  };

  // ------------------------------------------------------------------ the chapter's cells

  // Every code cell of the chapter, from the notebook `make book` writes beside the page (_sources/*.ipynb),
  // matched in order with the page's cells; cells the page leaves out get a place after the cell before them.
  async function chapterCells() {
    forgetEarlierRun();
    var url = ROOT + "_sources/" + pageName() + ".ipynb";
    var response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error("this chapter's notebook is missing (" + url + ": HTTP " + response.status + ")");
    var notebook = await response.json();
    var code = notebook.cells.filter(function (cell) { return cell.cell_type === "code"; });
    var shown = Array.from(document.querySelectorAll(CELLS));
    var kept = code.filter(function (cell) { return (cell.metadata.tags || []).indexOf(REMOVED) < 0; });
    if (kept.length !== shown.length) {
      throw new Error("the page shows " + shown.length + " code cells but its notebook has " + kept.length +
                      ": rebuild the book (make book)");
    }
    var next = 0;
    var previous = null;
    return code.map(function (cell) {
      var source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
      var host = document.createElement("div");
      host.className = "rsbook-live-output";
      host.hidden = true;
      if ((cell.metadata.tags || []).indexOf(REMOVED) >= 0) {
        var extra = document.createElement("div");
        extra.className = "rsbook-live-extra";
        var note = document.createElement("p");
        note.className = "rsbook-live-note";
        note.textContent = "Live only: a cell this page leaves out, because only a running kernel can draw it.";
        extra.appendChild(note);
        extra.appendChild(host);
        extra.hidden = true;
        placeRemoved(extra, previous, shown[next]);
        previous = extra;
        return { source: source, host: host, frozen: null, box: extra };
      }
      var element = shown[next++];
      element.appendChild(host);
      previous = element;
      return { source: source, host: host, frozen: element.querySelector(":scope > .cell_output"), box: null };
    });
  }

  // Where a cell the page left out goes. The page keeps no trace of it, only of the cells around it; the
  // chapters put such a cell last in its section, after the text that announces it. So: at the end of the
  // section of the cell before it (ahead of that section's subsections), unless the next cell is in the same
  // section, in which case just before that one. After another left-out cell, right after that one.
  function placeRemoved(box, previous, next) {
    if (previous && previous.classList.contains("rsbook-live-extra")) return previous.after(box);
    var section = previous ? previous.closest("section") : null;
    if (section && !(next && section.contains(next))) {
      var sub = section.querySelector(":scope > section");
      return sub ? sub.before(box) : section.append(box);
    }
    if (next) return next.before(box);
    if (previous) return previous.after(box);
    document.querySelector("article.bd-article").append(box);
  }

  // A second press (after a failure or a lost kernel) starts from the page as built.
  function forgetEarlierRun() {
    document.querySelectorAll(".rsbook-live-extra, .rsbook-live-output").forEach(function (el) { el.remove(); });
    document.querySelectorAll(CELLS + " > .cell_output").forEach(function (el) { el.hidden = false; });
  }

  // From now on the cell shows what the kernel gives it, not what the build froze.
  function reveal(cell) {
    if (cell.frozen) cell.frozen.hidden = true;
    if (cell.box) cell.box.hidden = false;
    cell.host.hidden = false;
  }

  function firstError(result) {
    if (!result) return "the kernel did not answer";
    if (!result.error || !result.error.length) return null;
    return result.error[0].ename + ": " + result.error[0].evalue;
  }

  // ------------------------------------------------------------------ going live

  async function goLive() {
    if (running) return;
    setButton("connecting");
    emit("connecting");
    say("progress", ["Looking for the live server…"]);
    var config;
    try {
      config = await liveConfig();
    } catch (err) {
      if (err instanceof NoServer) return howToStart(err.reason);
      return failed("The live server's configuration could not be read: " + err + ".");
    }
    var session = null;
    try {
      say("progress", ["Loading thebe and this chapter's cells…"]);
      var core = await loadThebe();
      var cells = await chapterCells();

      var thebeConfig = core.api.makeConfiguration({
        useBinder: false,
        useJupyterLite: false,
        requestKernel: true,
        mathjaxUrl: "", // no MathJax 2 from a CDN: `typesetter` uses the book's own MathJax
        serverSettings: { baseUrl: config.baseUrl, token: config.token, appendToken: true },
        // The session's path puts the kernel in the chapter's folder, where the book is built from.
        kernelOptions: { kernelName: config.kernelName || "python3", path: pageName() + ".ipynb" },
      }, core.api.makeEvents());
      var rendermime = core.api.makeRenderMimeRegistry(thebeConfig.mathjax);
      rendermime.latexTypesetter = typesetter;

      say("progress", ["Starting a Python kernel on the live server…"]);
      var server = core.api.connectToJupyter(thebeConfig);
      await server.ready;
      session = await server.startNewSession(rendermime, thebeConfig.kernels);
      if (!session) throw new Error("the server started no kernel");
      running = session;
      watch(session);
      usePageRequire(session.manager);
      var notebook = core.api.setupNotebookFromBlocks(
        cells.map(function (cell, i) { return { id: "rsbook-cell-" + i, source: cell.source }; }),
        thebeConfig, rendermime);
      notebook.cells.forEach(function (thebeCell, i) { thebeCell.attachToDOM(cells[i].host); });
      notebook.attachSession(session);

      setButton("running");
      emit("running");
      for (var i = 0; i < cells.length; i++) {
        say("progress", ["Running the chapter in the kernel: cell " + (i + 1) + " of " + cells.length + "…"]);
        reveal(cells[i]);
        var error = firstError(await notebook.cells[i].execute());
        if (error) {
          throw new Error("Cell " + (i + 1) + " of " + cells.length + " stopped with " + error +
                          " (shown below that cell); the cells after it did not run.");
        }
      }
    } catch (err) {
      running = null;
      if (session) session.shutdown().catch(function () {});
      return failed(err instanceof Error ? err.message : String(err));
    }
    setButton("live");
    emit("live");
    var widgets = document.querySelector(".rsbook-live-output .jupyter-widgets") !== null;
    say("live", ["Live: every cell of this chapter ran in a Python kernel on ", { tag: "code", text: config.baseUrl },
                 "; the outputs below are the kernel's" +
                 (widgets ? ", and the widgets recompute with rslib when you change them" : "") +
                 ". Reload the page to return to the built version."]);
  }

  // ------------------------------------------------------------------ the button

  function mount() {
    if (!document.querySelector(CELLS)) return; // pages without code (references, notation) have nothing to run
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm rsbook-live-button";
    button.title = "Run this chapter's code in a Jupyter kernel on this machine (started by " + START_COMMAND + ")";
    var dot = document.createElement("span");
    dot.className = "rsbook-live-dot";
    dot.setAttribute("aria-hidden", "true");
    var label = document.createElement("span");
    label.className = "rsbook-live-label";
    button.append(dot, label);
    var status = document.createElement("div");
    status.className = "rsbook-live-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.id = "rsbook-live-status";
    status.hidden = true;
    button.setAttribute("aria-describedby", status.id);
    ui.button = button;
    ui.status = status;
    setButton("idle");
    button.addEventListener("click", function () { goLive(); });

    var article = document.querySelector("article.bd-article");
    var bar = document.querySelector(".article-header-buttons");
    if (bar) bar.insertBefore(button, bar.firstChild);
    else article.insertBefore(button, article.firstChild);
    article.insertBefore(status, article.firstChild);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
