// Theme network view: draws the `nodes` / `edges` traits as SVG; pan (drag the background), zoom (wheel or
// buttons), hover for a code's definition and counts, click to ask Python for the code's quotes.
const SVGNS = "http://www.w3.org/2000/svg";

function svg(tag, attrs) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  return el;
}

function div(cls, text) {
  const el = document.createElement("div");
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

function render({ model, el }) {
  const root = div("wb-nv-root");
  const canvas = div("wb-nv-canvas");
  const side = div("wb-nv-side");
  const tip = div("wb-nv-tip");
  const bar = div("wb-nv-bar");
  const title = div("wb-nv-title");
  const buttons = [["+", 1.25], ["\u2212", 0.8], ["reset", 0]].map(([label, factor]) => {
    const b = document.createElement("button");
    b.textContent = label;
    b.className = "wb-nv-zoom";
    b.addEventListener("click", (e) => { e.stopPropagation(); factor ? zoomAt(factor, width / 2, height / 2) : reset(); });
    return b;
  });
  bar.append(...buttons, title);
  canvas.append(bar, tip);
  root.append(canvas, side);
  el.appendChild(root);

  const width = 800, height = 560, pad = 40;
  const view = svg("svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "xMidYMid meet" });
  const stage = svg("g", { class: "wb-nv-stage" });
  view.appendChild(stage);
  canvas.appendChild(view);
  let k = 1, tx = 0, ty = 0;
  // minor labels (less frequent codes) appear once zoomed in, so the overview stays readable
  const apply = () => {
    stage.setAttribute("transform", `translate(${tx},${ty}) scale(${k})`);
    stage.classList.toggle("wb-nv-zoomed", k >= 1.6);
  };
  const reset = () => { k = 1; tx = 0; ty = 0; apply(); };
  function toLocal(evt) {
    const r = view.getBoundingClientRect();
    const s = Math.min(r.width / width, r.height / height);
    const ox = (r.width - width * s) / 2, oy = (r.height - height * s) / 2;
    return [(evt.clientX - r.left - ox) / s, (evt.clientY - r.top - oy) / s];
  }
  function zoomAt(factor, x, y) {
    const nk = Math.min(8, Math.max(0.2, k * factor));
    tx = x - (x - tx) * (nk / k); ty = y - (y - ty) * (nk / k); k = nk; apply();
  }
  view.addEventListener("wheel", (e) => {
    e.preventDefault();
    const [x, y] = toLocal(e);
    zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, x, y);
  }, { passive: false });
  let drag = null;
  view.addEventListener("pointerdown", (e) => {
    if (e.target.classList && e.target.classList.contains("wb-nv-node")) return;
    drag = { x: e.clientX, y: e.clientY, tx, ty };
    canvas.classList.add("wb-nv-panning");
  });
  window.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const r = view.getBoundingClientRect();
    const s = Math.min(r.width / width, r.height / height) || 1;
    tx = drag.tx + (e.clientX - drag.x) / s; ty = drag.ty + (e.clientY - drag.y) / s; apply();
  });
  window.addEventListener("pointerup", () => { drag = null; canvas.classList.remove("wb-nv-panning"); });

  const px = (n) => pad + n.x * (width - 2 * pad - 140);  // room for the labels on the right
  const py = (n) => pad + n.y * (height - 2 * pad);

  function showTip(evt, n) {
    tip.replaceChildren();
    const head = document.createElement("b");
    head.textContent = n.label;
    const counts = div("wb-nv-counts", `${n.frequency} occurrences \u00b7 ${n.degree} connections \u00b7 community ${n.community + 1}`);
    const theme = div("wb-nv-theme", n.theme ? `theme: ${n.theme}` : "");
    const def = div("wb-nv-def", n.definition || "");
    tip.append(head, counts, theme, def);
    const r = canvas.getBoundingClientRect();
    tip.style.left = `${Math.min(evt.clientX - r.left + 12, r.width - 330)}px`;
    tip.style.top = `${evt.clientY - r.top + 12}px`;
    tip.style.display = "block";
  }

  function draw() {
    stage.replaceChildren();
    const nodes = model.get("nodes"), edges = model.get("edges");
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const colourBy = model.get("colour_by");
    const freqs = nodes.map((n) => n.frequency).sort((a, b) => b - a);
    const major = freqs.length > 30 ? freqs[Math.floor(freqs.length * 0.4)] : -1;
    for (const e of edges) {
      const a = byId.get(e.source), b = byId.get(e.target);
      if (!a || !b) continue;
      const line = svg("line", { x1: px(a), y1: py(a), x2: px(b), y2: py(b), "stroke-width": e.width,
        class: "wb-nv-edge" + (e.kind === "link" ? " wb-nv-link" : e.kind === "both" ? " wb-nv-both" : "") });
      const t = svg("title");
      t.textContent = `${a.label} \u2013 ${b.label}: ${e.count} together` + (e.links ? `\n${e.links}` : "");
      line.appendChild(t);
      stage.appendChild(line);
    }
    for (const n of nodes) {
      const c = svg("circle", { cx: px(n), cy: py(n), r: n.r, fill: colourBy === "community" ? n.community_colour : n.colour,
        class: "wb-nv-node" + (n.id === model.get("selected") ? " wb-nv-selected" : ""), "data-code": n.id });
      c.addEventListener("mouseenter", (evt) => showTip(evt, n));
      c.addEventListener("mousemove", (evt) => showTip(evt, n));
      c.addEventListener("mouseleave", () => { tip.style.display = "none"; });
      c.addEventListener("click", (evt) => { evt.stopPropagation(); model.send({ action: "select", node: n.id }); });
      stage.appendChild(c);
      const minor = n.frequency <= major;
      const label = svg("text", { x: px(n) + n.r + 2, y: py(n) + 3, "data-code": n.id,
        class: "wb-nv-label" + (minor ? " wb-nv-minor" : "") + (n.id === model.get("selected") ? " wb-nv-picked" : "") });
      label.textContent = n.label;
      stage.appendChild(label);
    }
    title.textContent = model.get("title");
  }

  function drawQuotes() {
    side.replaceChildren();
    const code = model.get("selected");
    const err = model.get("error");
    if (err) side.appendChild(div("wb-nv-error", err));
    if (!code) { side.appendChild(div("wb-nv-hint", "Click a code to read its quotes.")); return; }
    const node = model.get("nodes").find((n) => n.id === code);
    const h = document.createElement("h4");
    h.textContent = node ? node.label : code;
    h.className = "wb-nv-quotes-title";
    side.appendChild(h);
    const list = div("wb-nv-quotes");
    for (const q of model.get("quotes")) {
      const item = div("wb-nv-quote");
      const doc = document.createElement("span");
      doc.className = "wb-nv-doc";
      doc.textContent = q.document;
      item.append(doc, document.createTextNode(q.quote));
      list.appendChild(item);
    }
    if (!model.get("quotes").length) list.appendChild(div("wb-nv-hint", "No quotes under these filters."));
    side.appendChild(list);
    for (const c of stage.querySelectorAll(".wb-nv-node")) c.classList.toggle("wb-nv-selected", c.dataset.code === code);
    for (const t of stage.querySelectorAll(".wb-nv-label")) t.classList.toggle("wb-nv-picked", t.dataset.code === code);
  }

  model.on("change:nodes", draw);
  model.on("change:edges", draw);
  model.on("change:colour_by", draw);
  model.on("change:quotes", drawQuotes);
  model.on("change:selected", drawQuotes);
  model.on("change:error", drawQuotes);
  apply(); draw(); drawQuotes();
  root.dataset.ready = "1";
}

export default { render };
