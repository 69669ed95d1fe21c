// Browser side of workbench.widgets.AdjudicationView (anywidget ESM; the same code runs in JupyterLab and Voila).
//
// Python is the single source of truth: this file renders the traits (items, index, context, status, error)
// and turns each button press into a custom message {action, req, ...}; Python decides, updates the traits
// and answers {event: "done", req, ok}. Text pieces and their code-point offsets are cut in Python, so the
// only numbers sent back are the ones typed into the edit fields (code points, as shown).

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ESC[c]);
}

const COLOUR = /^#[0-9a-fA-F]{6}$/;
function colour(hex) {
  return COLOUR.test(hex) ? hex : "#888888";
}

function itemsOf(model) {
  const raw = model.get("items");
  return typeof raw === "string" ? (raw ? JSON.parse(raw) : []) : raw || [];
}

function spansText(spans) {
  return spans && spans.length ? spans.map(([s, e]) => `${s}–${e}`).join(", ") : "nothing";
}

const SAID = { a: "accept A", b: "accept B", both: "both", neither: "neither", edit: "edited span" };

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "wb-adj-root";
  root.tabIndex = 0;
  el.appendChild(root);
  let req = 0;
  let seq = 0;

  function send(action, extra) {
    req += 1;
    root.dataset.pending = String(req);
    model.send({ action, req, ...extra });
  }

  function textBlock(ctx, who, tint) {
    return (ctx.pieces || [])
      .map((p) => {
        const on = who === null ? p.consensus : p.coders.includes(who);
        const style = on ? ` style="background:${tint}40;box-shadow:inset 0 -2px 0 ${tint}"` : "";
        return `<span class="wb-adj-piece${on ? " wb-adj-mark" : ""}" data-start="${p.start}" data-end="${p.end}"${style}>${esc(p.text)}</span>`;
      })
      .join("");
  }

  function paint() {
    const items = itemsOf(model);
    const coders = model.get("coders") || [];
    const index = model.get("index");
    const ctx = model.get("context") || {};
    const error = model.get("error");
    const status = model.get("status");
    if (!items.length) {
      root.innerHTML = `<div class="wb-adj-empty">No disagreements: ${esc(coders.join(" and "))} coded identically.</div>`;
      root.dataset.renderSeq = String(++seq);
      return;
    }
    const item = items[index];
    const tint = colour(item.colour);
    const decided = items.filter((i) => i.decision).length;
    const [a, b] = coders;
    root.dataset.index = String(index);
    root.dataset.item = item.id;
    root.dataset.decision = item.decision || "";
    root.innerHTML = `
      <div class="wb-adj-header">
        <button class="wb-adj-prev" ${index === 0 ? "disabled" : ""} title="previous disagreement">◀</button>
        <span class="wb-adj-count">Disagreement ${index + 1} of ${items.length}</span>
        <button class="wb-adj-next" ${index >= items.length - 1 ? "disabled" : ""} title="next disagreement">▶</button>
        <span class="wb-adj-progress">${decided} decided</span>
      </div>
      <div class="wb-adj-what">
        <span class="wb-adj-chip" style="background:${tint}"></span>
        <span class="wb-adj-label">${esc(item.label)}</span>
        <code class="wb-adj-code">${esc(item.code)}</code>
        in <b class="wb-adj-document">${esc(item.document)}</b>
        <span class="wb-adj-range">[${item.start}, ${item.end})</span>
        <span class="wb-adj-decision" data-decision="${esc(item.decision || "")}">${item.decision ? "decided: " + esc(SAID[item.decision] || item.decision) : "open"}</span>
      </div>
      <div class="wb-adj-columns">
        ${[a, b]
          .map(
            (c, i) => `<div class="wb-adj-column" data-coder="${esc(c)}">
              <div class="wb-adj-coder">${i === 0 ? "A" : "B"}: ${esc(c)} <span class="wb-adj-spans">${esc(spansText(item.spans[c]))}</span></div>
              <div class="wb-adj-text">${textBlock(ctx, c, tint)}</div></div>`,
          )
          .join("")}
      </div>
      <div class="wb-adj-consensus-row">
        <div class="wb-adj-coder">${esc(model.get("consensus"))} <span class="wb-adj-spans">${esc(spansText(item.consensus))}</span></div>
        <div class="wb-adj-text wb-adj-consensus">${textBlock(ctx, null, tint)}</div>
      </div>
      <div class="wb-adj-actions">
        <button class="wb-adj-accept-a" data-decision="a">Accept A (${esc(a)})</button>
        <button class="wb-adj-accept-b" data-decision="b">Accept B (${esc(b)})</button>
        <button class="wb-adj-both" data-decision="both">Both</button>
        <button class="wb-adj-neither" data-decision="neither">Neither</button>
        <span class="wb-adj-edit-group">
          <input class="wb-adj-edit-start" type="number" min="0" value="${item.start}" aria-label="consensus start">
          <input class="wb-adj-edit-end" type="number" min="0" value="${item.end}" aria-label="consensus end">
          <button class="wb-adj-edit" data-decision="edit">Edit span</button>
        </span>
      </div>
      <div class="wb-adj-status">${esc(status)}</div>
      <div class="wb-adj-error" ${error ? "" : "hidden"}>${esc(error)}</div>`;
    root.dataset.renderSeq = String(++seq);
  }

  root.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button");
    if (!btn || !root.contains(btn) || btn.disabled) return;
    const index = model.get("index");
    if (btn.classList.contains("wb-adj-prev")) return send("goto", { index: index - 1 });
    if (btn.classList.contains("wb-adj-next")) return send("goto", { index: index + 1 });
    const decision = btn.dataset.decision;
    if (!decision) return;
    const extra = { decision };
    if (decision === "edit") {
      extra.start = Number(root.querySelector(".wb-adj-edit-start").value);
      extra.end = Number(root.querySelector(".wb-adj-edit-end").value);
    }
    send("decide", extra);
  });

  model.on("msg:custom", (msg) => {
    if (msg && msg.event === "done") root.dataset.done = String(msg.req);
  });
  for (const name of ["items", "index", "context", "status", "error", "coders"]) model.on(`change:${name}`, paint);
  paint();
  return () => root.remove();
}

export default { render };
