// The suggestion review: renders the Python traits, sends each button press as a custom message.
function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render({ model, el: root }) {
  let req = 0;
  const send = (msg) => { req += 1; model.send({ ...msg, req }); };
  const box = el("div", "wb-sr-root");
  const bar = el("div", "wb-sr-bar");
  const counts = el("span", "wb-sr-counts");
  const show = el("select", "wb-sr-show");
  for (const [value, label] of [["suggested", "open suggestions"], ["all", "all decisions"]]) {
    const opt = el("option", "", label); opt.value = value; show.appendChild(opt);
  }
  show.addEventListener("change", () => send({ action: "show", show: show.value }));
  const undo = el("button", "wb-sr-undo", "Undo");
  undo.addEventListener("click", () => send({ action: "undo" }));
  bar.append(counts, show, undo);
  const status = el("div", "wb-sr-status");
  const error = el("div", "wb-sr-error");
  const list = el("ul", "wb-sr-list");
  box.append(bar, status, error, list);
  root.appendChild(box);

  const paint = () => {
    const c = model.get("counts") || {};
    counts.textContent = `${c.suggested || 0} open · ${c.accepted || 0} accepted · ${c.rejected || 0} rejected`;
    show.value = model.get("show");
    status.textContent = model.get("status");
    error.textContent = model.get("error");
    let rows = model.get("rows");
    if (typeof rows === "string") rows = JSON.parse(rows);
    list.replaceChildren();
    if (!rows.length) list.appendChild(el("li", "wb-sr-empty", "No suggestions to review."));
    for (const r of rows) {
      const item = el("li", "wb-sr-item");
      item.dataset.id = String(r.id);
      item.dataset.status = r.status;
      item.style.setProperty("--wb-sr-colour", r.colour);
      const meta = el("div", "wb-sr-meta");
      meta.append(el("span", "wb-sr-code", `${r.label} (${r.code})`), el("span", "wb-sr-doc", r.document),
        el("span", "wb-sr-score", r.score === null ? "" : `score ${r.score}`),
        el("span", "wb-sr-state", r.status + (r.decided_by ? ` by ${r.decided_by}` : "")));
      item.append(meta, el("div", "wb-sr-quote", r.quote));
      if (r.status === "suggested") {
        const actions = el("div", "wb-sr-actions");
        const yes = el("button", "wb-sr-accept", "Accept");
        const no = el("button", "wb-sr-reject", "Reject");
        yes.addEventListener("click", () => send({ action: "decide", id: r.id, decision: "accept" }));
        no.addEventListener("click", () => send({ action: "decide", id: r.id, decision: "reject" }));
        actions.append(yes, no);
        item.appendChild(actions);
      }
      list.appendChild(item);
    }
    box.dataset.renderSeq = String(Number(box.dataset.renderSeq || 0) + 1);
  };
  for (const name of ["rows", "counts", "status", "error", "show"]) model.on(`change:${name}`, paint);
  paint();
}

export default { render };
