// Browser side of workbench.widgets.ScreeningView (anywidget ESM; the same code runs in JupyterLab and Voila).
//
// Python is the single source of truth: this file renders the traits (card, progress, status, error) and
// turns each key or button press into a custom message {action, req, ...}; Python decides, updates the
// traits and answers {event: "done", req, ok}. Keys (when the reason box is not being typed in):
// i include, e exclude, m maybe, j / ArrowRight next, k / ArrowLeft previous, u undo, r the reason box.

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ESC[c]);
}

const KEYS = { i: "include", e: "exclude", m: "maybe" };
const LABEL = { include: "Include", exclude: "Exclude", maybe: "Maybe" };

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "wb-sv-root";
  root.tabIndex = 0;
  el.appendChild(root);
  let req = 0;
  let seq = 0;

  function send(action, extra) {
    req += 1;
    root.dataset.pending = String(req);
    model.send({ action, req, ...extra });
  }

  function reasonBox() {
    return root.querySelector(".wb-sv-reason");
  }

  function decide(decision) {
    const box = reasonBox();
    const reason = box ? box.value.trim() : "";
    send("decide", { decision, reason: reason || null });
  }

  function paint() {
    const card = model.get("card") || {};
    const progress = model.get("progress") || {};
    const error = model.get("error");
    const status = model.get("status");
    const typed = reasonBox();
    const keepReason = typed && typed.dataset.record === card.name ? typed.value : null;
    if (!card.name) {
      root.innerHTML = `<div class="wb-sv-empty">No literature records to screen.</div>`;
      return;
    }
    const matched = (card.matched || [])
      .map((r) => `<li class="wb-sv-rule wb-sv-${esc(r.decision)}" data-rule="${esc(r.name)}">`
        + `<b>${esc(r.decision)}</b> ${esc(r.name)}${r.reason && r.reason !== r.name ? `: ${esc(r.reason)}` : ""}</li>`)
      .join("");
    const details = Object.entries(card.details || {})
      .map(([k, v]) => `<span class="wb-sv-detail"><i>${esc(k.replace("_", " "))}</i> ${esc(v)}</span>`)
      .join("");
    const buttons = ["include", "exclude", "maybe"]
      .map((d) => `<button class="wb-sv-btn wb-sv-${d}${card.decision === d ? " wb-sv-chosen" : ""}" data-decision="${d}" `
        + `title="${LABEL[d]} (${d[0]})">${LABEL[d]} <kbd>${d[0]}</kbd></button>`)
      .join("");
    seq += 1;
    root.dataset.renderSeq = String(seq);
    root.innerHTML = `
      <div class="wb-sv-top">
        <span class="wb-sv-screener">${esc(model.get("screener"))}</span>
        <span class="wb-sv-position">record ${card.position + 1} of ${progress.total}</span>
        <span class="wb-sv-progress">${progress.decided} decided: ${progress.include} include, ${progress.exclude} exclude, ${progress.maybe} maybe</span>
      </div>
      <div class="wb-sv-card" data-record="${esc(card.name)}">
        <div class="wb-sv-name">${esc(card.name)}${card.decision ? ` <span class="wb-sv-current wb-sv-${esc(card.decision)}">${esc(card.decision)}</span>` : ""}</div>
        <h3 class="wb-sv-title">${esc(card.title)}</h3>
        <div class="wb-sv-authors">${esc(card.authors)}</div>
        <div class="wb-sv-meta"><span class="wb-sv-year">${esc(card.year)}</span>${card.venue ? ` · <span class="wb-sv-venue">${esc(card.venue)}</span>` : ""}${card.doi ? ` · doi ${esc(card.doi)}` : ""}</div>
        <div class="wb-sv-details">${details}</div>
        <p class="wb-sv-abstract">${esc(card.abstract)}</p>
        <div class="wb-sv-rules-head">Matched rules</div>
        <ul class="wb-sv-rules">${matched || `<li class="wb-sv-norule">no rule matches: your call</li>`}</ul>
      </div>
      <div class="wb-sv-actions">
        <textarea class="wb-sv-reason" data-record="${esc(card.name)}" rows="2" placeholder="Reason (r): why include or exclude"></textarea>
        <div class="wb-sv-buttons">${buttons}
          <button class="wb-sv-nav wb-sv-prev" title="previous (k)">&larr;</button>
          <button class="wb-sv-nav wb-sv-next" title="next (j)">&rarr;</button>
          <button class="wb-sv-nav wb-sv-undo" title="undo (u)">Undo</button>
        </div>
      </div>
      <div class="wb-sv-status">${esc(status)}</div>
      ${error ? `<div class="wb-sv-error">${esc(error)}</div>` : ""}`;
    const box = reasonBox();
    box.value = keepReason !== null ? keepReason : card.reason || "";
    root.querySelectorAll("button[data-decision]").forEach((b) =>
      b.addEventListener("click", () => decide(b.dataset.decision)));
    root.querySelector(".wb-sv-prev").addEventListener("click", () => goto(-1));
    root.querySelector(".wb-sv-next").addEventListener("click", () => goto(1));
    root.querySelector(".wb-sv-undo").addEventListener("click", () => send("undo", {}));
  }

  function goto(step) {
    const card = model.get("card") || {};
    const total = (model.get("progress") || {}).total || 0;
    const index = card.position + step;
    if (index >= 0 && index < total) send("goto", { index });
  }

  root.addEventListener("keydown", (ev) => {
    if (ev.target && ev.target.classList && ev.target.classList.contains("wb-sv-reason")) {
      if (ev.key === "Escape") root.focus();
      return; // typing a reason: keys are letters
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const key = ev.key.toLowerCase();
    if (KEYS[key]) decide(KEYS[key]);
    else if (key === "j" || ev.key === "ArrowRight") goto(1);
    else if (key === "k" || ev.key === "ArrowLeft") goto(-1);
    else if (key === "u") send("undo", {});
    else if (key === "r") reasonBox().focus();
    else return;
    ev.preventDefault();
    ev.stopPropagation();
  });

  model.on("msg:custom", (msg) => {
    if (msg && msg.event === "done") {
      root.dataset.done = String(msg.req);
      if (msg.ok && msg.action !== "goto") root.focus();
    }
  });
  for (const name of ["card", "progress", "status", "error"]) model.on(`change:${name}`, paint);
  paint();
}

export default { render };
