// Browser side of workbench.widgets.CodingView (anywidget ESM; the same code runs in JupyterLab and Voila).
//
// Python is the single source of truth: this file renders the model's traits and turns every user action
// into a custom message {action, req, ...}; Python answers {event: "done", req, ok} after updating the
// traits. Offsets sent to Python are Unicode CODE POINTS into the stored text: each rendered segment
// carries its code-point start (data-start, derived from the chunk starts computed in Python) and code
// points are counted inside a segment, so astral characters (emoji) before a passage do not shift it.
//
// Rendering is incremental: the document's DOM is built once per document (one innerHTML), and a change
// of codings or filters re-renders only the turns whose visible codings changed.
//
// Margin: per turn a column of code labels (one per stripe, stacked so none covers another) and a column
// of stripes. Stripe lanes are assigned from on-screen extents once a turn is laid out (assignLanes), so
// two codings on one line never share a lane; until then from estimated positions. Suggested codings
// (not codings yet) only frame their words, dashed, and are accepted or rejected in the popup.

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;
// one stacked underline per lane (2 px line + 1 px gap), drawn by coding_view.css from --u0 ... --u5
const MAX_UNDERLINES = 6; // more overlapping codings than this still get a margin stripe each
const STRIPE_PX = 5;
const STRIPE_GAP_PX = 2; // stripes in one lane keep this much space between them
const MIN_STRIPE_PX = 4;
const COLLAPSE_OVER = 40; // a code tree with more codes than this starts with its branches collapsed

// Lanes for intervals [top, bottom): outer (earlier, longer) first, each in the first lane whose last
// interval ends `gap` before it starts, so two intervals in one lane never overlap. -> lane per interval
function assignLanes(intervals, gap) {
  const order = intervals.map((_, k) => k)
    .sort((x, y) => intervals[x][0] - intervals[y][0] || intervals[y][1] - intervals[x][1] || x - y);
  const ends = [];
  const lanes = new Array(intervals.length);
  for (const k of order) {
    const [a, b] = intervals[k];
    let lane = ends.findIndex((end) => end + gap <= a);
    if (lane < 0) lane = ends.length;
    ends[lane] = b;
    lanes[k] = lane;
  }
  return lanes;
}

// Margin labels: each at its stripe's top unless the label above it is still there; -> tops (same order)
function stackLabels(tops, height) {
  const order = tops.map((_, k) => k).sort((x, y) => tops[x] - tops[y] || x - y);
  const out = new Array(tops.length);
  let next = -Infinity;
  for (const k of order) {
    out[k] = Math.max(tops[k], next);
    next = out[k] + height + 1;
  }
  return out;
}

function cpLength(s) {
  if (!HIGH_SURROGATE.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return n;
}

// UTF-16 index of code point `k` in `s`
function cpToUnits(s, k, astral) {
  if (!astral) return k;
  let i = 0;
  for (let n = 0; n < k && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}

// number of code points in s.slice(0, i)
function unitsToCp(s, i) {
  if (!HIGH_SURROGATE.test(s)) return i;
  let n = 0;
  for (let j = 0; j < i && j < s.length; n++) {
    const c = s.charCodeAt(j);
    j += c >= 0xd800 && c <= 0xdbff && j + 1 < s.length ? 2 : 1;
  }
  return n;
}

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ESC[c]);
}

// runs `fn` once the next frame (style, layout and paint of what changed) has been produced
function afterPaint(fn) {
  requestAnimationFrame(() => setTimeout(fn, 0));
}

// chunks and codings arrive as JSON strings (cheaper for the kernel to send); parse once per value
const parsed = new WeakMap();
function listOf(model, name) {
  const raw = model.get(name);
  if (typeof raw !== "string") return raw || [];
  const cache = parsed.get(model) || {};
  if (!cache[name] || cache[name][0] !== raw) {
    cache[name] = [raw, raw ? JSON.parse(raw) : []];
    parsed.set(model, cache);
  }
  return cache[name][1];
}

const COLOUR = /^#[0-9a-fA-F]{6}$/;
function colour(hex) {
  return COLOUR.test(hex) ? hex : "#888888";
}

// the innermost coding's colour, more opaque where more codings overlap: #rrggbbaa
const TINT_ALPHA = ["29", "3d", "52", "66"]; // 0.16, 0.24, 0.32, 0.40
function tint(hex, n) {
  return colour(hex) + TINT_ALPHA[Math.min(n, TINT_ALPHA.length) - 1];
}

const TEMPLATE = `
<div class="wb-cv-bar">
  <button type="button" class="wb-cv-prev" title="Previous document">&#8249;</button>
  <select class="wb-cv-doc-select" title="Document"></select>
  <button type="button" class="wb-cv-next" title="Next document">&#8250;</button>
  <span class="wb-cv-coder"></span>
  <button type="button" class="wb-cv-done" title="Mark this document done (ends blind coding for it)">Mark done</button>
  <label class="wb-cv-toggle" title="Hide other coders' codings until you mark a document done">
    <input type="checkbox" class="wb-cv-blind"> Blind</label>
  <label class="wb-cv-toggle" title="Code labels in the margin beside the stripes">
    <input type="checkbox" class="wb-cv-labels-toggle"> Labels</label>
  <span class="wb-cv-spacer"></span>
  <button type="button" class="wb-cv-undo" title="Undo your last action (Ctrl+Z)">&#8630; Undo</button>
  <button type="button" class="wb-cv-redo" title="Redo (Ctrl+Shift+Z)">&#8631; Redo</button>
  <button type="button" class="wb-cv-refresh" title="Re-read the project">&#10227;</button>
</div>
<div class="wb-cv-error" role="alert" hidden><span class="wb-cv-error-text"></span>
  <button type="button" class="wb-cv-error-close" title="Dismiss">&#215;</button></div>
<div class="wb-cv-blind-note" hidden></div>
<div class="wb-cv-main">
  <div class="wb-cv-left">
    <div class="wb-cv-selection" data-empty="true"><span class="wb-cv-selection-text">Select a passage, then
      click a code (or press 1-9).</span>
      <button type="button" class="wb-cv-in-vivo" title="Create a code named by the selected words and apply it"
        hidden>In vivo</button>
      <button type="button" class="wb-cv-clear-selection" title="Clear the selection (Esc)" hidden>&#215;</button></div>
    <div class="wb-cv-doc"></div>
  </div>
  <div class="wb-cv-splitter" title="Drag to resize the code panel" role="separator" aria-orientation="vertical"></div>
  <div class="wb-cv-side">
    <div class="wb-cv-side-title">Recent codes</div>
    <div class="wb-cv-recent"></div>
    <div class="wb-cv-side-title wb-cv-tree-title"><span>Code tree</span><span class="wb-cv-spacer"></span>
      <button type="button" class="wb-cv-expand-all" title="Expand every branch">&#8862;</button>
      <button type="button" class="wb-cv-collapse-all" title="Collapse every branch">&#8863;</button></div>
    <input type="search" class="wb-cv-code-search" placeholder="Search codes&#8230;" spellcheck="false">
    <div class="wb-cv-tree"></div>
    <div class="wb-cv-new-code">
      <input type="text" class="wb-cv-new-label" placeholder="New code&#8230;" spellcheck="false">
      <select class="wb-cv-new-parent" title="Put the new code (or the in-vivo code) under"></select>
      <button type="button" class="wb-cv-add-code" title="Add the code to the codebook">Add</button>
    </div>
    <div class="wb-cv-side-title">Show</div>
    <label class="wb-cv-filter">Code <select class="wb-cv-filter-code"></select></label>
    <label class="wb-cv-filter">Coder <select class="wb-cv-filter-coder"></select></label>
  </div>
</div>
<div class="wb-cv-status" aria-live="polite"></div>
<div class="wb-cv-popup" hidden></div>`;

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "wb-cv wb-cv-root";
  root.tabIndex = 0; // keys 1-9 go to the focused view; mouse selection in the text focuses it
  root.setAttribute("data-lm-suppress-shortcuts", "true"); // JupyterLab: our keys are not notebook commands
  root.innerHTML = TEMPLATE;
  el.appendChild(root);
  const $ = (sel) => root.querySelector(sel);
  const docEl = $(".wb-cv-doc");
  const treeEl = $(".wb-cv-tree");
  const searchEl = $(".wb-cv-code-search");
  const popupEl = $(".wb-cv-popup");

  const st = {
    chunks: [], // from Python: {i, seq, speaker, time, start, end, text}
    bodies: [], // .wb-cv-body element per chunk
    sigs: [], // what each rendered chunk shows, to re-render only changed ones
    stripeSegs: [], // per chunk: [[firstSegIndex, lastSegIndex], ...] in stripe order
    labelHtml: [], // per chunk: its margin labels' HTML until they are put in ("" once they are)
    lanes: [], // per chunk: how many stripe lanes it needs
    near: new Set(), // chunks in or near the visible part of the document (IntersectionObserver)
    stale: new Set(), // chunks whose stripes still have estimated (proportional) positions
    stripesW: "",
    collapsed: new Set(), // code ids whose branch is folded in the tree
    treeInit: false,
    all: new Map(), // coding id -> coding (all codings of the document, visible or not)
    sugs: new Map(), // suggestion id -> open suggested coding of the document
    pending: null, // {start, end, text}: the passage the next code applies to
    popup: null, // {ids, x, y}
    popupSig: "",
    req: 0,
    inflight: new Map(), // req -> {action, t0}
    dirty: { doc: false, codings: false, codes: false, nav: false, msg: false, recent: false },
    scheduled: false,
    renderSeq: 0,
    actionSeq: 0,
    width: 0,
    codingsAt: 0,
  };

  // ---- messages to Python --------------------------------------------------------------------------
  function send(action, payload = {}) {
    const req = ++st.req;
    st.inflight.set(req, { action, t0: performance.now() });
    model.send({ action, req, ...payload });
    return req;
  }

  function applyCode(extra) {
    const p = st.pending;
    send("code", { start: p ? p.start : null, end: p ? p.end : null, ...extra });
  }

  function onCustom(msg) {
    if (!msg || msg.event !== "done") return;
    const job = st.inflight.get(msg.req);
    if (!job) return; // another view of the same model sent it
    st.inflight.delete(msg.req);
    flush(); // traits arrive before the reply: make sure the DOM shows them
    if (job.action === "code" && msg.ok) {
      const t1 = performance.now();
      const shown = docEl.querySelector(`.wb-cv-highlight[data-codings~="${msg.coding}"]`);
      root.dataset.actionMs = (t1 - job.t0).toFixed(1);
      // how much of it was the round trip to the kernel (until the new codings arrived)
      root.dataset.actionSyncMs = st.codingsAt > job.t0 ? (st.codingsAt - job.t0).toFixed(1) : "";
      root.dataset.actionPythonMs = String(msg.python_ms ?? ""); // of which in Python (dispatch)
      root.dataset.actionCoding = String(msg.coding);
      root.dataset.actionVisible = shown ? "true" : "false";
      root.dataset.actionSeq = String(++st.actionSeq);
      afterPaint(() => {
        root.dataset.actionPaintMs = (performance.now() - job.t0).toFixed(1);
      });
    }
    if (msg.ok && job.action === "uncode") closePopup();
    if (msg.ok && job.action === "create_code") $(".wb-cv-new-label").value = "";
    if (msg.ok && job.action === "in_vivo") {
      st.pending = null;
      renderSelection();
    }
  }

  // ---- scheduling ----------------------------------------------------------------------------------
  function mark(what) {
    st.dirty[what] = true;
    if (!st.scheduled) {
      st.scheduled = true;
      queueMicrotask(flush);
    }
  }

  function flush() {
    st.scheduled = false;
    const d = st.dirty;
    if (d.codes) {
      renderTree();
      renderNewCode();
    }
    if (d.codes || d.nav) renderFilters();
    if (d.nav) renderNav();
    if (d.codes || d.recent) renderRecent();
    if (d.msg) renderMessages();
    if (d.doc) renderDocument();
    else if (d.codings || d.codes) updateCodings();
    if (d.doc || d.codings || d.codes) refreshPopup();
    st.dirty = { doc: false, codings: false, codes: false, nav: false, msg: false, recent: false };
  }

  // ---- visible codings, per chunk, with lanes ----------------------------------------------------
  function visibleCodings() {
    const codings = listOf(model, "codings");
    st.all = new Map(codings.map((c) => [c.id, c]));
    const f = model.get("filters") || {};
    let codeSet = null;
    if (f.codes && f.codes.length) {
      const kids = new Map();
      for (const c of model.get("codes") || []) {
        if (!kids.has(c.parent)) kids.set(c.parent, []);
        kids.get(c.parent).push(c.id);
      }
      codeSet = new Set();
      const todo = [...f.codes];
      while (todo.length) {
        const id = todo.pop();
        if (codeSet.has(id)) continue;
        codeSet.add(id);
        todo.push(...(kids.get(id) || []));
      }
    }
    const coderSet = f.coders && f.coders.length ? new Set(f.coders) : null;
    return codings.filter((c) => (!codeSet || codeSet.has(c.code)) && (!coderSet || coderSet.has(c.coder)));
  }

  function openSuggestions() {
    const sugs = listOf(model, "suggestions");
    st.sugs = new Map(sugs.map((g) => [g.id, g]));
    return sugs;
  }

  function perChunk(visible) {
    const chunks = st.chunks;
    const out = chunks.map(() => []);
    const n = chunks.length;
    for (const c of visible) {
      let lo = 0;
      let hi = n; // first chunk whose end > c.start
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (chunks[mid].end > c.start) hi = mid;
        else lo = mid + 1;
      }
      for (let i = lo; i < n && chunks[i].start < c.end; i++) out[i].push(c);
    }
    return out;
  }

  // what a chunk shows of its codings (in the order Python sends them): equal means no re-render
  function signature(list, sugs) {
    let sig = "";
    for (const c of list) sig += `${c.id}:${c.start}:${c.end}:${c.colour}:${c.label}:${c.coder}|`;
    if (sugs && sugs.length) {
      sig += "#";
      for (const g of sugs) sig += `${g.id}:${g.start}:${g.end}:${g.colour}:${g.label}|`;
    }
    return sig;
  }

  function chunkBody(chunk, list, sugs = []) {
    // -> {html, sig, segs}: stripes + text segments for one chunk; segs = [first, last] segment per stripe.
    // Suggested codings (sugs) only cut segments and draw a dashed line over them: no stripe, no label.
    const base = chunk.start;
    const text = chunk.text;
    const astral = HIGH_SURROGATE.test(text);
    const len = astral ? cpLength(text) : text.length;
    if (!list.length && !sugs.length) {
      return {
        html: `<div class="wb-cv-labels"></div><div class="wb-cv-stripes"></div><div class="wb-cv-text" data-start="${base}">` +
          `<span class="wb-cv-seg" data-start="${base}" data-len="${len}">${esc(text)}</span></div>`,
        labels: "",
        sig: "",
        segs: [],
        lanes: 0,
      };
    }
    // outer codings first, so nested ones get the higher lane (drawn inside)
    const items = list
      .map((c) => ({ c, s: Math.max(0, c.start - base), e: Math.min(len, c.end - base), lane: 0 }))
      .sort((a, b) => a.s - b.s || b.e - a.e || a.c.id - b.c.id);
    const laneEnds = [];
    for (const it of items) {
      let lane = laneEnds.findIndex((end) => end <= it.s);
      if (lane < 0) lane = laneEnds.length;
      laneEnds[lane] = it.e;
      it.lane = lane;
    }
    const lanes = laneEnds.length;
    const sitems = sugs.map((g) => ({ g, s: Math.max(0, g.start - base), e: Math.min(len, g.end - base) }));
    const cuts = new Set([0, len]);
    for (const it of [...items, ...sitems]) {
      cuts.add(it.s);
      cuts.add(it.e);
    }
    const points = [...cuts].sort((a, b) => a - b);
    const first = new Map();
    const last = new Map();
    let html = "";
    let seg = 0;
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k];
      const b = points[k + 1];
      if (b <= a) continue;
      const piece = text.slice(cpToUnits(text, a, astral), cpToUnits(text, b, astral));
      const cover = items.filter((it) => it.s <= a && it.e >= b);
      const scover = sitems.filter((it) => it.s <= a && it.e >= b);
      const sids = scover.map((it) => it.g.id).join(" ");
      const suggested = scover.length ? ` data-suggestions="${sids}" style="--s:${colour(scover[0].g.colour)}"` : "";
      if (!cover.length) {
        html += scover.length
          ? `<span class="wb-cv-seg wb-cv-suggested" data-start="${base + a}" data-len="${b - a}"${suggested} ` +
            `title="${esc(scover.map((it) => `suggested: ${it.g.label}`).join("\n"))}">${esc(piece)}</span>`
          : `<span class="wb-cv-seg" data-start="${base + a}" data-len="${b - a}">${esc(piece)}</span>`;
        seg++;
        continue;
      }
      // innermost (shortest) coding gives the tint; every coding draws its own underline in its lane
      const inner = cover.reduce((x, y) => (y.e - y.s < x.e - x.s || (y.e - y.s === x.e - x.s && y.lane > x.lane) ? y : x));
      // the stacked underlines and the tint are drawn by CSS from custom properties (short inline styles)
      let style = `--t:${tint(inner.c.colour, cover.length)}`;
      for (const it of cover) {
        if (it.lane < MAX_UNDERLINES) style += `;--u${it.lane}:${colour(it.c.colour)}`;
        if (!first.has(it)) first.set(it, seg);
        last.set(it, seg);
      }
      const ids = cover.map((it) => it.c.id).join(" ");
      const codes = [...new Set(cover.map((it) => it.c.code))].join(" ");
      const title = [...cover.map((it) => `${it.c.label} (${it.c.coder})`),
        ...scover.map((it) => `suggested: ${it.g.label}`)].join("\n");
      if (scover.length) style += `;--s:${colour(scover[0].g.colour)}`;
      html += `<span class="wb-cv-seg wb-cv-highlight${scover.length ? " wb-cv-suggested" : ""}" ` +
        `data-start="${base + a}" data-len="${b - a}" data-coding="${inner.c.id}" data-codings="${ids}" ` +
        `${scover.length ? `data-suggestions="${sids}" ` : ""}data-codes="${esc(codes)}" title="${esc(title)}" ` +
        `style="${style}">${esc(piece)}</span>`;
      seg++;
    }
    // estimated (proportional) stripe positions until the turn is laid out; lanes keep them apart
    const spans = items.map((it) => {
      const top = (100 * it.s) / Math.max(1, len);
      return [top, top + Math.max(2, (100 * (it.e - it.s)) / Math.max(1, len))];
    });
    const stripeLanes = assignLanes(spans, 0);
    const me = model.get("coder");
    let stripes = "";
    let labels = "";
    const segs = [];
    items.forEach((it, k) => {
      const [top, bottom] = spans[k];
      const tip = esc(`${it.c.label} (${it.c.coder})`);
      stripes += `<span class="wb-cv-stripe" data-coding="${it.c.id}" data-code="${esc(it.c.code)}" ` +
        `data-lane="${stripeLanes[k]}" title="${tip}" style="left:${stripeLanes[k] * STRIPE_PX}px;` +
        `top:${top}%;height:${bottom - top}%;background:${colour(it.c.colour)}"></span>`;
      labels += `<span class="wb-cv-label" data-coding="${it.c.id}" data-code="${esc(it.c.code)}" title="${tip}" ` +
        `style="top:${top}%;--c:${colour(it.c.colour)}">${esc(it.c.label)}` +
        `${it.c.coder !== me ? `<span class="wb-cv-label-coder">${esc(it.c.coder)}</span>` : ""}</span>`;
      segs.push([first.get(it), last.get(it)]);
    });
    return {
      // the labels go in when the turn comes near the view (layoutStripes): fewer nodes to build up front
      html: `<div class="wb-cv-labels"></div><div class="wb-cv-stripes">${stripes}</div>` +
        `<div class="wb-cv-text wb-cv-lanes-${Math.min(lanes, MAX_UNDERLINES)}" data-start="${base}">${html}</div>`,
      labels,
      sig: signature(list, sugs),
      segs,
      lanes: Math.max(1, ...stripeLanes.map((l) => l + 1)),
    };
  }

  // one margin width for the whole document, so the text of every turn lines up
  function setStripeWidth() {
    let most = 1;
    for (const n of st.lanes) if (n > most) most = n;
    const width = `${most * STRIPE_PX}px`;
    if (width !== st.stripesW) { // a new value restyles every turn: only when it changes
      st.stripesW = width;
      docEl.style.setProperty("--wb-cv-stripes-w", width);
    }
  }

  // exact stripe positions: read all segment boxes first (one layout), then write all stripe styles.
  // Only for turns in or near view (turns off screen are not laid out: content-visibility: auto); the
  // others keep proportional positions until the IntersectionObserver brings them near.
  // Stripe lanes are assigned here from the pixel extents (two codings on one line would otherwise share
  // a lane and cover each other), and the margin labels are stacked so that none hides another.
  function layoutStripes(indices) {
    for (const i of indices) { // writes first: the margin labels of turns that just came near
      const html = st.labelHtml[i];
      if (html && st.bodies[i]) st.bodies[i].firstElementChild.innerHTML = html;
      st.labelHtml[i] = "";
    }
    const reads = [];
    for (const i of indices) {
      const body = st.bodies[i];
      const pairs = st.stripeSegs[i];
      if (!body || !pairs || !pairs.length) {
        st.stale.delete(i);
        continue;
      }
      if (!body.offsetParent) continue; // not displayed (a hidden tab): stays stale
      st.stale.delete(i);
      const [labelsEl, stripesEl, textEl] = body.children;
      const segs = textEl.children;
      const boxes = pairs.map(([a, b]) => {
        const x = segs[a];
        const y = segs[b];
        if (!x || !y) return [0, MIN_STRIPE_PX];
        return [x.offsetTop, Math.max(x.offsetTop + MIN_STRIPE_PX, y.offsetTop + y.offsetHeight)];
      });
      const labelH = labelsEl.firstElementChild ? labelsEl.firstElementChild.offsetHeight : 0;
      reads.push([i, labelsEl, stripesEl.children, boxes, labelH]);
    }
    let wider = false;
    for (const [i, labelsEl, stripes, boxes, labelH] of reads) {
      const lanes = assignLanes(boxes, STRIPE_GAP_PX);
      boxes.forEach((box, k) => {
        const el = stripes[k];
        if (!el) return;
        el.style.top = `${box[0]}px`;
        el.style.height = `${box[1] - box[0]}px`;
        el.style.left = `${lanes[k] * STRIPE_PX}px`;
        el.dataset.lane = String(lanes[k]);
      });
      const n = Math.max(1, ...lanes.map((l) => l + 1));
      if (n !== st.lanes[i]) {
        st.lanes[i] = n;
        wider = true;
      }
      if (labelH > 0) { // labels shown: one per stripe, stacked, the column as tall as they need
        const tops = stackLabels(boxes.map((b) => b[0]), labelH);
        const labels = labelsEl.children;
        tops.forEach((top, k) => {
          if (labels[k]) labels[k].style.top = `${top}px`;
        });
        labelsEl.style.minHeight = `${Math.max(...tops) + labelH}px`;
      }
    }
    if (wider) setStripeWidth();
  }

  function relayoutAll() {
    st.stale = new Set(st.stripeSegs.flatMap((segs, i) => (segs.length ? [i] : [])));
    layoutStripes([...st.near]);
  }

  function renderDocument() {
    const t0 = performance.now();
    st.chunks = listOf(model, "chunks");
    const lists = perChunk(visibleCodings());
    const sugLists = perChunk(openSuggestions());
    const parts = new Array(st.chunks.length);
    st.sigs = [];
    st.stripeSegs = [];
    st.lanes = [];
    st.labelHtml = [];
    st.chunks.forEach((ch, i) => {
      const body = chunkBody(ch, lists[i], sugLists[i]);
      st.sigs.push(body.sig);
      st.stripeSegs.push(body.segs);
      st.lanes.push(body.lanes);
      st.labelHtml.push(body.labels);
      const head = ch.speaker || ch.time
        ? `<div class="wb-cv-head">${ch.time ? `<span class="wb-cv-time">${esc(ch.time)}</span>` : ""}` +
          `${ch.speaker ? `<span class="wb-cv-speaker">${esc(ch.speaker)}</span>` : ""}</div>`
        : "";
      parts[i] = `<div class="wb-cv-turn" data-i="${i}" data-seq="${ch.seq}" data-start="${ch.start}" ` +
        `data-end="${ch.end}">${head}<div class="wb-cv-body">${body.html}</div></div>`;
    });
    const tBuilt = performance.now();
    if (watcher) watcher.disconnect();
    st.near.clear();
    docEl.innerHTML = parts.length ? parts.join("") : `<div class="wb-cv-empty">No document to show.</div>`;
    docEl.scrollTop = 0;
    setStripeWidth();
    st.bodies = Array.from(docEl.getElementsByClassName("wb-cv-body"));
    st.stale = new Set(st.stripeSegs.flatMap((segs, i) => (segs.length ? [i] : [])));
    const tDom = performance.now();
    void docEl.offsetHeight; // force style + layout now (turns off screen are skipped: content-visibility)
    const t1 = performance.now();
    if (watcher) for (const body of st.bodies) watcher.observe(body.parentElement);
    root.dataset.renderBuildMs = (tBuilt - t0).toFixed(1);
    root.dataset.renderDomMs = (tDom - tBuilt).toFixed(1);
    root.dataset.renderLayoutMs = (t1 - tDom).toFixed(1);
    st.pending = null;
    renderSelection();
    closePopup();
    root.dataset.document = model.get("document") || "";
    root.dataset.renderMs = (t1 - t0).toFixed(1);
    root.dataset.renderSeq = String(++st.renderSeq);
    root.dataset.turns = String(st.chunks.length);
    afterPaint(() => {
      root.dataset.renderPaintMs = (performance.now() - t0).toFixed(1);
    });
  }

  function updateCodings() {
    const t0 = performance.now();
    const lists = perChunk(visibleCodings());
    const sugLists = perChunk(openSuggestions());
    const changed = [];
    st.chunks.forEach((ch, i) => {
      if (signature(lists[i], sugLists[i]) === st.sigs[i]) return;
      const body = chunkBody(ch, lists[i], sugLists[i]);
      st.bodies[i].innerHTML = body.html;
      st.labelHtml[i] = body.labels;
      st.sigs[i] = body.sig;
      st.stripeSegs[i] = body.segs;
      st.lanes[i] = body.lanes;
      changed.push(i);
    });
    if (changed.length) setStripeWidth();
    for (const i of changed) st.stale.add(i);
    layoutStripes(changed.filter((i) => st.near.has(i)));
    root.dataset.updateMs = (performance.now() - t0).toFixed(1);
    root.dataset.updatedTurns = String(changed.length);
  }

  // ---- selection -> code-point offsets ---------------------------------------------------------
  function pointOffset(node, offset, isEnd) {
    const elem = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const seg = elem && elem.closest ? elem.closest(".wb-cv-seg") : null;
    if (seg && docEl.contains(seg)) {
      const base = Number(seg.dataset.start);
      if (node.nodeType === Node.TEXT_NODE) return base + unitsToCp(node.data, offset);
      return offset === 0 ? base : base + Number(seg.dataset.len);
    }
    // outside the text (a speaker label, between turns): the nearest segment boundary in document order
    const segs = docEl.getElementsByClassName("wb-cv-seg");
    if (!segs.length) return null;
    const probe = document.createRange();
    try {
      probe.setStart(node, offset);
    } catch {
      return null;
    }
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (probe.comparePoint(segs[mid], 0) >= 0) hi = mid;
      else lo = mid + 1;
    }
    if (!isEnd) return lo < segs.length ? Number(segs[lo].dataset.start) : null;
    if (lo === 0) return null;
    const prev = segs[lo - 1];
    return Number(prev.dataset.start) + Number(prev.dataset.len);
  }

  function passage(start, end) {
    let out = "";
    for (const ch of st.chunks) {
      if (ch.end <= start || ch.start >= end) continue;
      const astral = HIGH_SURROGATE.test(ch.text);
      const a = cpToUnits(ch.text, Math.max(0, start - ch.start), astral);
      const b = cpToUnits(ch.text, Math.min(ch.end, end) - ch.start, astral);
      out += (out ? " \u2026 " : "") + ch.text.slice(a, b);
      if (out.length > 200) break;
    }
    return out;
  }

  function quote(c) {
    const q = passage(c.start, c.end);
    return q.length > 240 ? `${q.slice(0, 239)}\u2026` : q;
  }

  function captureSelection() {
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount || sel.isCollapsed) return false;
    const r = sel.getRangeAt(0);
    if (!(docEl.contains(r.startContainer) || docEl.contains(r.endContainer) || r.intersectsNode(docEl))) {
      return false;
    }
    const start = pointOffset(r.startContainer, r.startOffset, false);
    const end = pointOffset(r.endContainer, r.endOffset, true);
    if (start == null || end == null || end <= start) return false;
    st.pending = { start, end, text: passage(start, end) };
    renderSelection();
    return true;
  }

  function renderSelection() {
    const box = $(".wb-cv-selection");
    const p = st.pending;
    box.dataset.empty = p ? "false" : "true";
    root.dataset.selection = p ? `${p.start}-${p.end}` : "";
    const short = p && p.text.length > 90 ? `${p.text.slice(0, 87)}\u2026` : p && p.text;
    $(".wb-cv-selection-text").textContent = p
      ? `Selected [${p.start}, ${p.end}): \u201c${short}\u201d - click a code or press 1-9`
      : "Select a passage, then click a code (or press 1-9).";
    $(".wb-cv-clear-selection").hidden = !p;
    $(".wb-cv-in-vivo").hidden = !p;
  }

  // ---- code tree, recent codes, filters, navigation, messages -----------------------------------
  function parents() {
    return new Set((model.get("codes") || []).map((c) => c.parent).filter(Boolean));
  }

  function renderTree() {
    const recent = model.get("recent") || [];
    const codes = model.get("codes") || [];
    const branches = parents();
    if (!st.treeInit && codes.length) { // a long codebook starts folded: its themes fit on screen
      st.treeInit = true;
      if (codes.length > COLLAPSE_OVER) st.collapsed = new Set(branches);
    }
    treeEl.innerHTML = codes.map((c) => {
      const key = recent.indexOf(c.id);
      const branch = branches.has(c.id);
      const open = branch && !st.collapsed.has(c.id);
      const tip = c.gloss ? `${c.path}\n${c.gloss}` : c.path;
      return `<div class="wb-cv-code-item${c.codable ? "" : " wb-cv-folder"}" data-code="${esc(c.id)}" ` +
        `data-parent="${esc(c.parent || "")}" data-depth="${c.depth}" title="${esc(tip)}" ` +
        `style="padding-left:${2 + 14 * c.depth}px">` +
        (branch
          ? `<span class="wb-cv-twisty" data-toggle="${esc(c.id)}" aria-expanded="${open}" ` +
            `title="${open ? "Collapse" : "Expand"}">${open ? "\u25be" : "\u25b8"}</span>`
          : `<span class="wb-cv-twisty wb-cv-leaf"></span>`) +
        `<span class="wb-cv-swatch" style="background:${esc(c.colour)}"></span>` +
        `<span class="wb-cv-code-label">${esc(c.label)}</span>` +
        `${key >= 0 ? `<kbd class="wb-cv-code-key">${key + 1}</kbd>` : ""}</div>`;
    }).join("");
    filterTree();
  }

  // a search shows every match and its ancestors, folded or not; without one, folded branches hide
  function filterTree() {
    const q = searchEl.value.trim().toLowerCase();
    const codes = model.get("codes") || [];
    const byId = new Map(codes.map((c) => [c.id, c]));
    let show = null;
    if (q) {
      show = new Set();
      for (const c of codes) {
        if (c.label.toLowerCase().includes(q) || c.id.toLowerCase().includes(q) || c.path.toLowerCase().includes(q)) {
          for (let n = c; n && !show.has(n.id); n = byId.get(n.parent)) show.add(n.id);
        }
      }
    }
    const folded = (c) => {
      for (let n = byId.get(c.parent); n; n = byId.get(n.parent)) if (st.collapsed.has(n.id)) return true;
      return false;
    };
    for (const item of treeEl.children) {
      const id = item.dataset.code;
      const c = byId.get(id);
      item.hidden = show !== null ? !show.has(id) : !!(c && folded(c));
      item.classList.toggle("wb-cv-match", !!(q && c && c.label.toLowerCase().includes(q)));
    }
  }

  function toggleBranch(id) {
    if (st.collapsed.has(id)) st.collapsed.delete(id);
    else st.collapsed.add(id);
    renderTree();
  }

  function renderNewCode() {
    const sel = $(".wb-cv-new-parent");
    const keep = sel.value;
    sel.innerHTML = `<option value="">(top level)</option>` + (model.get("codes") || []).map((c) =>
      `<option value="${esc(c.id)}">${"\u00a0\u00a0".repeat(c.depth)}${esc(c.label)}</option>`).join("");
    sel.value = [...sel.options].some((o) => o.value === keep) ? keep : "";
  }

  function renderRecent() {
    const codes = new Map((model.get("codes") || []).map((c) => [c.id, c]));
    const recent = model.get("recent") || [];
    const box = $(".wb-cv-recent");
    box.innerHTML = recent.length
      ? recent.map((id, k) => {
        const c = codes.get(id) || { label: id, colour: "#888888" };
        return `<span class="wb-cv-recent-item" data-code="${esc(id)}" data-key="${k + 1}" title="Press ${k + 1}">` +
          `<kbd>${k + 1}</kbd><span class="wb-cv-swatch" style="background:${esc(c.colour)}"></span>${esc(c.label)}</span>`;
      }).join("")
      : `<span class="wb-cv-hint">Codes you apply get the keys 1-9.</span>`;
    if (!st.dirty.codes) renderTree(); // key numbers in the tree follow the recent list
  }

  function renderFilters() {
    const f = model.get("filters") || {};
    const codeSel = $(".wb-cv-filter-code");
    codeSel.innerHTML = `<option value="">All codes</option>` + (model.get("codes") || []).map((c) =>
      `<option value="${esc(c.id)}">${"\u00a0\u00a0".repeat(c.depth)}${esc(c.label)}</option>`).join("");
    codeSel.value = (f.codes && f.codes[0]) || "";
    const coderSel = $(".wb-cv-filter-coder");
    coderSel.innerHTML = `<option value="">All coders</option>` + (model.get("coders") || []).map((c) =>
      `<option value="${esc(c)}">${esc(c)}</option>`).join("");
    coderSel.value = (f.coders && f.coders[0]) || "";
  }

  function renderNav() {
    const docs = model.get("documents") || [];
    const current = model.get("document") || "";
    const sel = $(".wb-cv-doc-select");
    sel.innerHTML = docs.map((d) => `<option value="${esc(d)}">${esc(d)}</option>`).join("");
    sel.value = current;
    const k = docs.indexOf(current);
    $(".wb-cv-prev").disabled = k <= 0;
    $(".wb-cv-next").disabled = k < 0 || k >= docs.length - 1;
    $(".wb-cv-coder").textContent = `coding as ${model.get("coder")}`;
    const blind = !!model.get("blind");
    const done = !!model.get("done");
    const hidden = model.get("hidden") || 0;
    const doneBtn = $(".wb-cv-done");
    doneBtn.disabled = !current;
    doneBtn.textContent = done ? "\u2713 Done" : "Mark done";
    doneBtn.title = done ? "Done: click to reopen this document" : "Mark this document done (ends blind coding for it)";
    doneBtn.classList.toggle("wb-cv-is-done", done);
    $(".wb-cv-blind").checked = blind;
    $(".wb-cv-labels-toggle").checked = !!model.get("labels");
    root.dataset.blind = String(blind);
    root.dataset.done = String(done);
    const note = $(".wb-cv-blind-note");
    note.hidden = !(blind && !done && hidden > 0);
    note.textContent = `Blind coding: ${hidden} coding${hidden === 1 ? "" : "s"} by other coders hidden ` +
      "until you mark this document done.";
  }

  function renderLabelsToggle() {
    const on = !!model.get("labels");
    root.classList.toggle("wb-cv-nolabels", !on);
    $(".wb-cv-labels-toggle").checked = on;
    relayoutAll();
  }

  function renderMessages() {
    const error = model.get("error") || "";
    $(".wb-cv-error").hidden = !error;
    $(".wb-cv-error-text").textContent = error;
    $(".wb-cv-status").textContent = model.get("status") || "";
  }

  // ---- popup -------------------------------------------------------------------------------------
  function openPopup(ids, ev, sids = []) {
    const box = root.getBoundingClientRect();
    st.popup = { ids, sids, x: ev.clientX - box.left, y: ev.clientY - box.top + 14 };
    st.popupSig = "";
    refreshPopup();
  }

  function closePopup() {
    st.popup = null;
    st.popupSig = "";
    popupEl.hidden = true;
    popupEl.innerHTML = "";
  }

  function refreshPopup() {
    const p = st.popup;
    if (!p) return;
    const me = model.get("coder");
    const rows = p.ids.map((id) => st.all.get(id)).filter(Boolean);
    const sugs = (p.sids || []).map((id) => st.sugs.get(id)).filter(Boolean);
    if (!rows.length && !sugs.length) {
      closePopup();
      return;
    }
    const sig = rows.map((c) => `${c.id}:${c.code}:${c.label}:${c.memo}`).join("|") + "#" +
      sugs.map((g) => g.id).join("|");
    if (sig === st.popupSig) return;
    st.popupSig = sig;
    const head = [rows.length ? `${rows.length} coding${rows.length === 1 ? "" : "s"}` : "",
      sugs.length ? `${sugs.length} suggestion${sugs.length === 1 ? "" : "s"}` : ""].filter(Boolean).join(", ");
    popupEl.innerHTML = `<div class="wb-cv-popup-head"><span>${head} here</span>` +
      `<button type="button" class="wb-cv-popup-close" title="Close (Esc)">&#215;</button></div>` +
      sugs.map((g) => `<div class="wb-cv-popup-item wb-cv-popup-suggestion" data-suggestion="${g.id}">` +
        `<div class="wb-cv-popup-line"><span class="wb-cv-swatch wb-cv-swatch-dashed" style="--s:${colour(g.colour)}">` +
        `</span><span class="wb-cv-popup-code" data-code="${esc(g.code)}">${esc(g.label)}</span>` +
        `<span class="wb-cv-popup-coder">suggested${g.score != null ? ` \u00b7 ${Number(g.score).toFixed(2)}` : ""}` +
        `</span></div><div class="wb-cv-popup-quote">\u201c${esc(quote(g))}\u201d</div>` +
        `<div class="wb-cv-popup-actions"><button type="button" class="wb-cv-accept" data-suggestion="${g.id}" ` +
        `title="Make it your coding">Accept</button><button type="button" class="wb-cv-reject" ` +
        `data-suggestion="${g.id}" title="Mark it rejected">Reject</button></div></div>`).join("") +
      rows.map((c) => {
        const own = c.coder === me;
        return `<div class="wb-cv-popup-item" data-coding="${c.id}" data-own="${own}">` +
          `<div class="wb-cv-popup-line"><span class="wb-cv-swatch" style="background:${esc(c.colour)}"></span>` +
          `<span class="wb-cv-popup-code" data-code="${esc(c.code)}">${esc(c.label)}</span>` +
          `<span class="wb-cv-popup-coder">${esc(c.coder)}</span></div>` +
          `<div class="wb-cv-popup-quote">\u201c${esc(quote(c))}\u201d</div>` +
          (own
            ? `<textarea class="wb-cv-memo" data-coding="${c.id}" rows="2" placeholder="Memo\u2026">${esc(c.memo)}</textarea>` +
              `<div class="wb-cv-popup-actions"><button type="button" class="wb-cv-memo-save" data-coding="${c.id}">` +
              `Save memo</button><button type="button" class="wb-cv-remove" data-coding="${c.id}">Remove code</button></div>`
            : `<div class="wb-cv-memo-text">${c.memo ? esc(c.memo) : "<i>no memo</i>"}</div>`) +
          `</div>`;
      }).join("");
    popupEl.hidden = false;
    const width = Math.min(340, root.clientWidth - 8);
    popupEl.style.width = `${width}px`;
    popupEl.style.left = `${Math.max(4, Math.min(p.x, root.clientWidth - width - 4))}px`;
    popupEl.style.top = `${p.y}px`;
  }

  // ---- events ------------------------------------------------------------------------------------
  const onMouseUp = () => {
    captureSelection();
  };
  document.addEventListener("mouseup", onMouseUp);
  root.addEventListener("keyup", (ev) => {
    if (ev.shiftKey && !ev.target.closest("input, textarea, select")) captureSelection();
  });

  // keep the page selection when clicking codes and buttons (mousedown would collapse it)
  root.addEventListener("mousedown", (ev) => {
    if (ev.target.closest(".wb-cv-code-item, .wb-cv-recent-item, .wb-cv-bar button, .wb-cv-selection button, " +
      ".wb-cv-add-code, .wb-cv-tree-title button")) {
      ev.preventDefault();
      root.focus({ preventScroll: true });
    }
  });

  root.addEventListener("click", (ev) => {
    const t = ev.target;
    const hit = (sel) => t.closest(sel);
    let x;
    if ((x = hit(".wb-cv-twisty[data-toggle]"))) toggleBranch(x.dataset.toggle);
    else if (hit(".wb-cv-expand-all")) {
      st.collapsed.clear();
      renderTree();
    } else if (hit(".wb-cv-collapse-all")) {
      st.collapsed = parents();
      renderTree();
    } else if (hit(".wb-cv-add-code")) addCode();
    else if (hit(".wb-cv-in-vivo")) {
      const p = st.pending;
      send("in_vivo", { start: p ? p.start : null, end: p ? p.end : null, parent: $(".wb-cv-new-parent").value || null });
    } else if (hit(".wb-cv-done")) send("done", { done: !model.get("done") });
    else if (hit(".wb-cv-undo")) send("undo");
    else if (hit(".wb-cv-redo")) send("redo");
    else if (hit(".wb-cv-prev")) send("document", { step: -1 });
    else if (hit(".wb-cv-next")) send("document", { step: 1 });
    else if (hit(".wb-cv-refresh")) send("refresh");
    else if (hit(".wb-cv-error-close")) send("clear_error");
    else if (hit(".wb-cv-clear-selection")) {
      st.pending = null;
      renderSelection();
    } else if (hit(".wb-cv-popup-close")) closePopup();
    else if ((x = hit(".wb-cv-remove"))) send("uncode", { id: Number(x.dataset.coding) });
    else if ((x = hit(".wb-cv-accept"))) send("suggestion", { id: Number(x.dataset.suggestion), decision: "accept" });
    else if ((x = hit(".wb-cv-reject"))) send("suggestion", { id: Number(x.dataset.suggestion), decision: "reject" });
    else if ((x = hit(".wb-cv-memo-save"))) {
      const id = Number(x.dataset.coding);
      const area = popupEl.querySelector(`.wb-cv-memo[data-coding="${id}"]`);
      send("memo", { id, memo: area ? area.value : "" });
    } else if ((x = hit(".wb-cv-code-item"))) {
      if (!x.classList.contains("wb-cv-folder")) applyCode({ code: x.dataset.code });
    } else if ((x = hit(".wb-cv-recent-item"))) applyCode({ code: x.dataset.code });
    else if ((x = hit(".wb-cv-stripe, .wb-cv-label"))) openPopup([Number(x.dataset.coding)], ev);
    else if (docEl.contains(t)) {
      const sel = window.getSelection();
      if (sel && !sel.isCollapsed) return; // the end of a drag: the selection was captured on mouseup
      st.pending = null;
      renderSelection();
      x = hit(".wb-cv-highlight, .wb-cv-suggested");
      if (x) {
        const ids = x.dataset.codings ? x.dataset.codings.split(" ").map(Number) : [];
        const sids = x.dataset.suggestions ? x.dataset.suggestions.split(" ").map(Number) : [];
        ids.sort((a, b) => {
          const ca = st.all.get(a);
          const cb = st.all.get(b);
          return ca && cb ? ca.end - ca.start - (cb.end - cb.start) : 0;
        });
        openPopup(ids, ev, sids);
      } else closePopup();
    } else if (!popupEl.contains(t)) closePopup();
  });

  root.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (t.closest("input, textarea, select")) {
      if (t === searchEl && ev.key === "Enter") {
        ev.preventDefault();
        const first = [...treeEl.children].find((i) => !i.hidden && !i.classList.contains("wb-cv-folder") &&
          (!searchEl.value.trim() || i.classList.contains("wb-cv-match")));
        if (first) applyCode({ code: first.dataset.code });
      } else if (t.classList.contains("wb-cv-new-label") && ev.key === "Enter") {
        ev.preventDefault();
        addCode();
      } else if (t === searchEl && ev.key === "Escape") {
        searchEl.value = "";
        filterTree();
      }
      ev.stopPropagation(); // typing in our inputs is never a notebook shortcut
      return;
    }
    const mod = ev.ctrlKey || ev.metaKey;
    if (/^[1-9]$/.test(ev.key) && !mod && !ev.altKey) {
      ev.preventDefault();
      ev.stopPropagation();
      captureSelection();
      applyCode({ recent: Number(ev.key) });
    } else if (ev.key === "Escape") {
      closePopup();
      st.pending = null;
      renderSelection();
    } else if (mod && (ev.key === "z" || ev.key === "Z")) {
      ev.preventDefault();
      ev.stopPropagation();
      send(ev.shiftKey ? "redo" : "undo");
    } else if (mod && (ev.key === "y" || ev.key === "Y")) {
      ev.preventDefault();
      ev.stopPropagation();
      send("redo");
    }
  });

  function addCode() {
    send("create_code", { label: $(".wb-cv-new-label").value, parent: $(".wb-cv-new-parent").value || null });
  }

  searchEl.addEventListener("input", filterTree);
  $(".wb-cv-blind").addEventListener("change", (ev) => send("blind", { on: ev.target.checked }));
  $(".wb-cv-labels-toggle").addEventListener("change", (ev) => {
    model.set("labels", ev.target.checked);
    model.save_changes();
  });

  // the splitter between the text and the code panel: drag to make the panel wider or narrower
  const splitter = $(".wb-cv-splitter");
  splitter.addEventListener("pointerdown", (ev) => {
    ev.preventDefault();
    splitter.setPointerCapture(ev.pointerId);
    const move = (e) => {
      const box = root.getBoundingClientRect();
      const width = Math.round(Math.max(200, Math.min(box.width * 0.7, box.right - e.clientX - 4)));
      root.style.setProperty("--wb-cv-side-w", `${width}px`);
    };
    const up = () => {
      splitter.removeEventListener("pointermove", move);
      splitter.removeEventListener("pointerup", up);
    };
    splitter.addEventListener("pointermove", move);
    splitter.addEventListener("pointerup", up);
  });
  $(".wb-cv-doc-select").addEventListener("change", (ev) => send("document", { name: ev.target.value }));
  const sendFilters = () => {
    const code = $(".wb-cv-filter-code").value;
    const coder = $(".wb-cv-filter-coder").value;
    send("filter", { codes: code ? [code] : [], coders: coder ? [coder] : [] });
  };
  $(".wb-cv-filter-code").addEventListener("change", sendFilters);
  $(".wb-cv-filter-coder").addEventListener("change", sendFilters);
  docEl.addEventListener("scroll", () => {
    if (st.popup) closePopup();
  }, { passive: true });

  // re-measure the stripes when the text column changes width (wrapping changes)
  const resize = typeof ResizeObserver === "function"
    ? new ResizeObserver((entries) => {
      const w = Math.round(entries[entries.length - 1].contentRect.width);
      if (w === st.width || w === 0) return;
      st.width = w;
      st.stale = new Set(st.stripeSegs.flatMap((segs, i) => (segs.length ? [i] : [])));
      layoutStripes([...st.near]);
    })
    : null;
  if (resize) resize.observe(docEl);

  // which turns are in or near view: their stripes get exact positions
  const watcher = typeof IntersectionObserver === "function"
    ? new IntersectionObserver((entries) => {
      const now = [];
      for (const e of entries) {
        const i = Number(e.target.dataset.i);
        if (e.isIntersecting) {
          st.near.add(i);
          if (st.stale.has(i)) now.push(i);
        } else st.near.delete(i);
      }
      if (now.length) layoutStripes(now);
    }, { root: docEl, rootMargin: "400px 0px" })
    : null;

  // ---- model events ------------------------------------------------------------------------------
  const handlers = [
    ["change:chunks", () => mark("doc")],
    ["change:document", () => mark("nav")],
    ["change:documents", () => mark("nav")],
    ["change:codings", () => {
      st.codingsAt = performance.now();
      mark("codings");
    }],
    ["change:filters", () => {
      mark("codings");
      mark("nav");
    }],
    ["change:codes", () => mark("codes")],
    ["change:suggestions", () => mark("codings")],
    ["change:coders", () => mark("nav")],
    ["change:blind", () => mark("nav")],
    ["change:done", () => mark("nav")],
    ["change:hidden", () => mark("nav")],
    ["change:labels", () => renderLabelsToggle()],
    ["change:recent", () => mark("recent")],
    ["change:error", () => mark("msg")],
    ["change:status", () => mark("msg")],
    ["msg:custom", onCustom],
  ];
  for (const [name, fn] of handlers) model.on(name, fn);

  st.dirty = { doc: true, codings: false, codes: true, nav: true, msg: true, recent: true };
  root.classList.toggle("wb-cv-nolabels", !model.get("labels"));
  flush();

  return () => {
    for (const [name, fn] of handlers) model.off(name, fn);
    document.removeEventListener("mouseup", onMouseUp);
    if (resize) resize.disconnect();
    if (watcher) watcher.disconnect();
  };
}

export default { render };
