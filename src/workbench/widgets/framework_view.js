// Framework matrix editor: a text box per case x theme; a change is sent to Python, which stores it.
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render({ model, el: host }) {
  const root = el("div", "wb-fv-root");
  const status = el("div", "wb-fv-status");
  const table = el("table", "wb-fv-table");
  root.append(status, table);
  host.appendChild(root);

  function draw() {
    table.replaceChildren();
    const codes = model.get("codes"), cells = model.get("cells");
    const head = el("tr");
    head.appendChild(el("th", "", "case"));
    for (const c of codes) head.appendChild(el("th", "", c.label));
    table.appendChild(head);
    for (const k of model.get("cases")) {
      const row = el("tr");
      row.appendChild(el("th", "", k));
      for (const c of codes) {
        const cell = cells[`${k}\t${c.id}`] || { summary: "", n: 0, quotes: [] };
        const td = el("td");
        const box = el("textarea", "wb-fv-summary");
        box.value = cell.summary;
        box.dataset.case = k;
        box.dataset.code = c.id;
        box.placeholder = cell.n ? "write a summary" : "no segments";
        box.addEventListener("change", () => model.send({ action: "save", case: k, code: c.id, summary: box.value }));
        const details = el("details");
        details.appendChild(el("summary", "wb-fv-n", `${cell.n} segments`));
        for (const q of cell.quotes) details.appendChild(el("div", "wb-fv-quote", `${q.document}: ${q.quote}`));
        td.append(box, details);
        row.appendChild(td);
      }
      table.appendChild(row);
    }
  }

  function paintStatus() {
    const err = model.get("error");
    status.className = err ? "wb-fv-status wb-fv-error" : "wb-fv-status";
    status.textContent = err || model.get("status");
  }

  model.on("change:cells", draw);
  model.on("change:status", paintStatus);
  model.on("change:error", paintStatus);
  draw(); paintStatus();
}

export default { render };
