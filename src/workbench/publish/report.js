// The published report, rendered from its content model (publish/content.py). One renderer for both the
// Voila app (inside an anywidget) and the static HTML file: the same sections, filters and numbers.
// Text from the model is only ever set through textContent, never parsed as HTML.
(function () {
  'use strict';
  const TYPE_COLOURS = { literature: '#7b5ea7', expert: '#1f77b4', school: '#e6550d' };
  const FILTERS = ['source_type', 'region', 'school_type', 'theme'];

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return el;
  }

  // ---- the filtering: the twin of content.view() in Python --------------------------------------------
  function representative(quotes, types, n) {
    const queues = {};
    const sorted = quotes.slice().sort((a, b) => a.rank - b.rank);
    for (const t of types) queues[t] = sorted.filter(q => q.type === t);
    const out = [];
    while (out.length < n && types.some(t => queues[t].length)) {
      for (const t of types) if (queues[t].length && out.length < n) out.push(queues[t].shift().id);
    }
    return out;
  }

  function view(model, filters) {
    const f = {};
    for (const [k, v] of Object.entries(filters || {})) if (v) f[k] = v;
    const byId = new Map(model.sources.map(s => [s.id, s]));
    const types = model.filters.find(x => x.name === 'source_type').values;
    const ok = q => {
      const s = byId.get(q.source);
      for (const [name, value] of Object.entries(f)) {
        if (name === 'theme') continue;
        const have = name === 'source_type' ? s.type : s.attributes[name];
        if (have !== value) return false;
      }
      return true;
    };
    const quotes = model.quotes.filter(ok).map(q => Object.assign({}, q, { type: byId.get(q.source).type }));
    const byRank = quotes.slice().sort((a, b) => a.rank - b.rank);
    const theme = f.theme;
    const themes = [];
    for (const t of model.themes) {
      if (theme && t.id !== theme) continue;
      const mine = quotes.filter(q => q.theme === t.id);
      const counts = {};
      for (const c of t.codes) {
        counts[c.id] = {};
        for (const ty of types) {
          counts[c.id][ty] = new Set(mine.filter(q => q.code === c.id && q.type === ty).map(q => q.source)).size;
        }
      }
      themes.push({ id: t.id, counts, sources: new Set(mine.map(q => q.source)).size, quotes: mine.length,
        representative: representative(mine, types, model.meta.representative),
        drill: byRank.filter(q => q.theme === t.id).map(q => q.id) });
    }
    let activity = null;
    if (model.activity) {
      const a = model.activity;
      activity = a.codes.map((code, i) => {
        const which = [...new Set(quotes.filter(q => q.code === code && q.type === a.among)
          .map(q => byId.get(q.source).case || byId.get(q.source).name))].sort();
        return { code, activity: a.labels[i], schools: which.length, which };
      });
    }
    const themeCodes = new Set();
    for (const t of model.themes) if (!theme || t.id === theme) for (const c of t.codes) themeCodes.add(c.id);
    const kept = new Set(quotes.map(q => q.id));
    const recommendations = [];
    for (const r of model.recommendations) {
      if (theme && !r.codes.some(c => themeCodes.has(c))) continue;
      recommendations.push({ id: r.id, chosen: r.quotes.filter(q => kept.has(q)),
        evidence: byRank.filter(q => r.codes.includes(q.code)).map(q => q.id) });
    }
    return { themes, activity, recommendations, quotes: quotes.length,
      sources: new Set(quotes.map(q => q.source)).size };
  }

  // ---- rendering ------------------------------------------------------------------------------------
  function codeName(c) { return c.gloss || c.label; }
  function short(s, n) { return s.length > n ? s.slice(0, n - 1) + '…' : s; }

  function plot(div, data, layout) {
    const base = { margin: { l: 10, r: 10, t: 10, b: 40 }, font: { size: 12 }, barmode: 'group',
      legend: { orientation: 'h', y: -0.15 }, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)' };
    const merged = Object.assign(base, layout);
    if (globalThis.Plotly) {
      globalThis.Plotly.react(div, data, merged, { displayModeBar: false, responsive: true });
    } else {
      div.textContent = 'charts need plotly.js, which is not loaded';
    }
    div.dataset.traces = JSON.stringify(data.map(d => d.x));
  }

  function fmt(x) { return x === null || x === undefined ? 'n/a' : Number(x).toFixed(2); }

  function agreementLine(a) {
    if (!a) return 'Agreement between coders: not part of this snapshot.';
    if (!a.available) return 'Agreement between coders: ' + a.note + '.';
    const o = a.overall || {};
    const ci = o.alpha_low !== null && o.alpha_low !== undefined ? ` [${fmt(o.alpha_low)}-${fmt(o.alpha_high)}]` : '';
    return `Agreement between ${a.coders} on ${a.documents} double-coded documents: Krippendorff's alpha ` +
      `${fmt(o.alpha)}${ci}, Cohen's kappa ${fmt(o.kappa)} (all codes pooled, ${a.unit} level).`;
  }

  function render(root, model, options) {
    const opts = options || {};
    // charts are drawn when they come near the viewport (plotly is the slow part of a first view)
    const pendingDraw = new Map();
    const io = typeof IntersectionObserver === 'function' ? new IntersectionObserver(entries => {
      for (const e of entries) {
        const draw = e.isIntersecting && pendingDraw.get(e.target);
        if (draw) { pendingDraw.delete(e.target); draw(); }
      }
    }, { rootMargin: '400px' }) : null;
    function lazyPlot(div, data, layout) {
      if (!io) { plot(div, data, layout); return; }
      div.dataset.traces = JSON.stringify(data.map(d => d.x));
      pendingDraw.set(div, () => plot(div, data, layout));
      io.unobserve(div);
      io.observe(div);
    }
    // drill-down lists are built when opened
    function lazyList(details, list, ids) {
      details._ids = ids;
      list.textContent = '';
      if (details.open) for (const q of ids) list.appendChild(quoteEl(q));
      if (!details._wired) {
        details._wired = true;
        details.addEventListener('toggle', () => {
          if (details.open && !list.childElementCount) for (const q of details._ids) list.appendChild(quoteEl(q));
        });
      }
    }
    const filters = Object.assign({ source_type: '', region: '', school_type: '', theme: '' }, opts.filters || {});
    const types = model.filters.find(x => x.name === 'source_type').values;
    const quoteById = new Map(model.quotes.map(q => [q.id, q]));
    const sourceById = new Map(model.sources.map(s => [s.id, s]));
    const codeById = new Map(model.themes.flatMap(t => t.codes.map(c => [c.id, c])));
    const themeById = new Map(model.themes.map(t => [t.id, t]));
    let selectedRec = null;
    root.textContent = '';
    root.classList.add('wb-report');

    function quoteEl(id, extra) {
      const q = quoteById.get(id);
      const s = sourceById.get(q.source);
      const c = codeById.get(q.code);
      return h('blockquote', { class: 'wb-quote' + (extra ? ' ' + extra : ''), 'data-quote': id,
        'data-type': s.type },
        h('p', { text: q.text }),
        h('footer', {}, h('span', { class: 'wb-who', text: s.label }),
          q.speaker && s.case && q.speaker !== s.case ? h('span', { class: 'wb-speaker', text: ' · ' + q.speaker }) : null,
          h('span', { class: 'wb-code', style: `border-color:${c.colour}`, text: codeName(c) })));
    }

    // title page
    const m = model.meta;
    const snap = model.snapshot || {};
    const coders = h('table', { class: 'wb-coders' },
      h('thead', {}, h('tr', {}, h('th', { text: 'coder' }), h('th', { text: 'codings' }), h('th', { text: 'documents' }))),
      h('tbody', {}, m.coders.map(c => h('tr', {}, h('td', { text: c.coder + (c.coder === m.main_coder ? ' (published)' : '') }),
        h('td', { text: String(c.codings) }), h('td', { text: String(c.documents) })))));
    const pending = (model.pending || []);
    root.appendChild(h('header', { class: 'wb-section wb-title', id: 'wb-title' },
      m.demo ? h('div', { class: 'wb-demo', text: 'Demo project: fictional transcripts, pseudonymous respondents' }) : null,
      h('h1', { text: m.title }),
      m.summary ? h('p', { class: 'wb-summary', text: m.summary }) : null,
      h('div', { class: 'wb-columns' },
        h('div', {}, h('h3', { text: 'How the data were coded' }), m.method ? h('p', { text: m.method }) : null,
          h('p', { text: `${m.coded_documents} of ${m.documents} documents coded; quotes shown are those of ${m.main_coder}.` }),
          coders,
          h('p', { class: 'wb-agreement', text: agreementLine(model.agreement) })),
        h('div', {}, h('h3', { text: 'This snapshot' }),
          h('p', { class: 'wb-snapshot', text: `Taken ${snap.taken_at || '?'} at event #${snap.as_of_event}.` }),
          h('p', { text: 'Only coded quotes are published; names are replaced by pseudonyms.' }),
          pending.length ? h('div', { class: 'wb-pending' }, h('p', { text: 'Not in this report yet:' }),
            h('ul', {}, pending.map(p => h('li', { text: `${p.what} (${p.needs})` })))) : null))));

    // filters
    const status = h('span', { class: 'wb-filter-status', role: 'status' });
    const bar = h('nav', { class: 'wb-filters', 'aria-label': 'Filters' });
    for (const f of model.filters) {
      const sel = h('select', { class: `wb-filter wb-filter-${f.name}`, 'data-filter': f.name, 'aria-label': f.label,
        onchange: e => { filters[f.name] = e.target.value; update(true); } },
        h('option', { value: '', text: `${f.label}: all` }),
        f.values.map(v => h('option', { value: v, text: f.name === 'theme' ? themeById.get(v).gloss || themeById.get(v).label : v })));
      sel.value = filters[f.name] || '';
      bar.appendChild(h('label', {}, sel));
    }
    bar.appendChild(h('button', { class: 'wb-reset', type: 'button', text: 'Reset',
      onclick: () => { for (const k of FILTERS) filters[k] = ''; for (const s of bar.querySelectorAll('select')) s.value = ''; update(true); } }));
    bar.appendChild(status);
    root.appendChild(bar);
    root.appendChild(h('nav', { class: 'wb-toc' },
      ['Overview', 'Research questions'].map((t, i) => h('a', { href: i ? '#wb-rqs' : '#wb-overview', text: t })),
      model.themes.map(t => h('a', { href: `#wb-theme-${t.id}`, text: t.gloss || t.label })),
      model.activity ? h('a', { href: '#wb-activity', text: 'Activities' }) : null,
      model.network ? h('a', { href: '#wb-network', text: 'Theme network' }) : null,
      model.agreement && model.agreement.available ? h('a', { href: '#wb-agreement', text: 'Agreement' }) : null,
      model.topics ? h('a', { href: '#wb-topics', text: 'Topics' }) : null,
      model.transcripts && model.transcripts.length ? h('a', { href: '#wb-transcripts', text: 'Transcripts' }) : null,
      model.prisma ? h('a', { href: '#wb-prisma', text: 'Literature flow' }) : null,
      h('a', { href: '#wb-recommendations', text: 'Recommendations' })));

    // overview
    const overviewChart = h('div', { class: 'wb-chart wb-overview-chart' });
    root.appendChild(h('section', { class: 'wb-section', id: 'wb-overview' }, h('h2', { text: 'Overview: who says what' }),
      h('p', { class: 'wb-hint', text: 'Number of sources that speak to each theme, by respondent type.' }), overviewChart));

    // research questions
    root.appendChild(h('section', { class: 'wb-section', id: 'wb-rqs' }, h('h2', { text: 'Research questions' }),
      h('ol', { class: 'wb-rq-list' }, model.research_questions.map(rq => h('li', { 'data-rq': rq.id },
        h('strong', { text: rq.gloss || rq.label }), rq.gloss ? h('span', { class: 'wb-original', text: ' ' + rq.label }) : null,
        h('div', { class: 'wb-rq-themes' }, rq.themes.map(t => h('a', { href: `#wb-theme-${t}`, class: 'wb-tag',
          text: themeById.get(t).gloss || themeById.get(t).label }))))))));

    // themes
    const themeParts = new Map();
    for (const t of model.themes) {
      const chart = h('div', { class: 'wb-chart wb-theme-chart' });
      const keyCodes = h('tbody');
      const reps = h('div', { class: 'wb-quotes wb-representative' });
      const drill = h('div', { class: 'wb-quotes wb-drill-list' });
      const counter = h('span', { class: 'wb-theme-count' });
      const details = h('details', { class: 'wb-drill' }, h('summary', { text: 'More quotes' }), drill);
      const sec = h('section', { class: 'wb-section wb-theme', id: `wb-theme-${t.id}`, 'data-theme': t.id },
        h('h2', {}, t.gloss || t.label, h('span', { class: 'wb-original', text: ' ' + t.label })), counter,
        t.definition ? h('p', { class: 'wb-definition', text: t.definition }) : null,
        h('div', { class: 'wb-columns' },
          h('div', {}, h('h3', { text: 'What literature, experts and schools say' }), chart),
          h('div', {}, h('h3', { text: 'Key codes' }), h('table', { class: 'wb-key-codes' },
            h('thead', {}, h('tr', {}, h('th', { text: 'code' }), h('th', { text: 'sources' }))), keyCodes))),
        h('h3', { text: 'Representative quotes' }), reps, details);
      root.appendChild(sec);
      themeParts.set(t.id, { sec, chart, keyCodes, reps, drill, counter, details });
    }

    // activity table
    let activityParts = null;
    if (model.activity) {
      const body = h('tbody');
      const chart = h('div', { class: 'wb-chart wb-activity-chart' });
      root.appendChild(h('section', { class: 'wb-section', id: 'wb-activity' }, h('h2', { text: 'Activities at the schools' }),
        h('p', { class: 'wb-hint', text: 'Number of schools with at least one coded passage on each activity.' }),
        h('div', { class: 'wb-columns' }, h('table', { class: 'wb-activity-table' },
          h('thead', {}, h('tr', {}, h('th', { text: 'activity' }), h('th', { text: 'schools' }), h('th', { text: 'which' }))), body),
          chart)));
      activityParts = { body, chart };
    }

    // theme network (wb.theme_network)
    let networkChart = null;
    if (model.network) {
      networkChart = h('div', { class: 'wb-chart wb-network-chart' });
      root.appendChild(h('section', { class: 'wb-section', id: 'wb-network' }, h('h2', { text: 'Theme network' }),
        h('p', { class: 'wb-hint', text: 'Codes as nodes (size: how often coded), linked where codings overlap or the ' +
          'researcher linked them. Follows the respondent-type and theme filters.' }), networkChart));
    }
    // agreement (wb.agreement)
    let agreementBody = null;
    if (model.agreement && model.agreement.available) {
      const a = model.agreement;
      agreementBody = h('tbody');
      root.appendChild(h('section', { class: 'wb-section', id: 'wb-agreement' }, h('h2', { text: 'Agreement between coders' }),
        h('p', { class: 'wb-agreement-summary', text: agreementLine(a) }),
        a.method ? h('p', { class: 'wb-hint', text: a.method + ' (' + a.source + '; not filtered.)' }) : null,
        h('details', { class: 'wb-drill' }, h('summary', { text: 'Agreement per code' }),
          h('table', { class: 'wb-agreement-table' }, h('thead', {}, h('tr', {}, h('th', { text: 'code' }),
            h('th', { text: "Krippendorff's alpha" }), h('th', { text: 'interval' }), h('th', { text: "Cohen's kappa" }))),
          agreementBody))));
    }
    // topic overview (the latest saved topic run) and its alignment to the codebook
    let topicParts = null;
    if (model.topics) {
      const tp = model.topics;
      const chart = h('div', { class: 'wb-chart wb-topics-chart' });
      const body = h('tbody');
      root.appendChild(h('section', { class: 'wb-section', id: 'wb-topics' }, h('h2', { text: 'Topics found in the sources' }),
        h('p', { class: 'wb-hint', text: `A topic model (saved run #${tp.run}${tp.stale ? ', made before the latest changes' : ''}; ` +
          `${tp.passages} passages by ${tp.unit}) groups passages by their words, without the codebook. Alignment with the ` +
          `codes on the same passages: normalised mutual information ${fmt(tp.nmi)}. Follows the respondent-type and theme filters.` }),
        h('div', { class: 'wb-columns' }, chart, h('table', { class: 'wb-topics-table' }, h('thead', {}, h('tr', {},
          h('th', { text: 'topic (top words)' }), h('th', { text: 'passages' }), h('th', { text: 'closest code' }))), body))));
      topicParts = { chart, body };
    }

    // literature flow (wb.prisma)
    if (model.prisma) {
      root.appendChild(h('section', { class: 'wb-section', id: 'wb-prisma' }, h('h2', { text: 'Literature flow' }),
        h('p', { class: 'wb-hint', text: 'How sources were found, screened and included (PRISMA); not filtered.' }),
        h('ol', { class: 'wb-prisma' }, model.prisma.map(r => h('li', { class: 'wb-prisma-' + r.stage },
          h('strong', { text: String(r.n) }), ' ' + r.label)))));
    }

    // whole transcripts: only where the researcher opted in (publish_transcripts in the findings file)
    let transcriptList = null;
    if (model.transcripts && model.transcripts.length) {
      transcriptList = h('div', { class: 'wb-transcript-list' });
      root.appendChild(h('section', { class: 'wb-section', id: 'wb-transcripts' }, h('h2', { text: 'Transcripts' }),
        h('p', { class: 'wb-hint', text: 'Published whole at the researcher\'s choice, with pseudonyms. Follows the respondent-type, region and school-type filters.' }),
        transcriptList));
    }

    // recommendations and their evidence
    const recList = h('div', { class: 'wb-rec-list' });
    const evidence = h('div', { class: 'wb-evidence', hidden: true, 'aria-live': 'polite' });
    root.appendChild(h('section', { class: 'wb-section', id: 'wb-recommendations' }, h('h2', { text: 'Recommendations' }),
      h('p', { class: 'wb-hint', text: 'Click a recommendation to see the evidence it rests on.' }),
      h('div', { class: 'wb-columns' }, recList, evidence)));

    function showEvidence(v) {
      evidence.textContent = '';
      const r = model.recommendations.find(x => x.id === selectedRec);
      const rv = v.recommendations.find(x => x.id === selectedRec);
      if (!r || !rv) { evidence.hidden = true; return; }
      evidence.hidden = false;
      evidence.dataset.rec = r.id;
      const counts = {};
      for (const t of v.themes) for (const [code, byType] of Object.entries(t.counts)) counts[code] = byType;
      evidence.appendChild(h('h3', { text: 'Evidence: ' + r.title }));
      evidence.appendChild(h('ul', { class: 'wb-evidence-codes' }, r.codes.map(code => {
        const c = codeById.get(code);
        const n = counts[code] ? types.map(t => `${t} ${counts[code][t]}`).join(', ') : 'outside the selected theme';
        return h('li', { 'data-code': code }, h('span', { class: 'wb-code', style: `border-color:${c.colour}`, text: codeName(c) }),
          h('span', { class: 'wb-hint', text: ' sources: ' + n }));
      })));
      if (rv.chosen.length) evidence.appendChild(h('div', { class: 'wb-quotes' }, rv.chosen.map(q => quoteEl(q, 'wb-chosen'))));
      const more = rv.evidence.filter(q => !rv.chosen.includes(q));
      if (!rv.chosen.length && !more.length) evidence.appendChild(h('p', { class: 'wb-empty', text: 'No evidence under these filters.' }));
      if (more.length) {
        const list = h('div', { class: 'wb-quotes' });
        const details = h('details', { class: 'wb-drill' }, h('summary', { text: `${more.length} more quotes on these codes` }), list);
        evidence.appendChild(details);
        lazyList(details, list, more);
      }
    }

    function drawNetwork(v) {
      const net = model.network;
      const variant = net.variants[filters.source_type || ''] || net.variants[''];
      const themeOk = id => !filters.theme || net.nodes[id].theme === filters.theme;
      const ids = Object.keys(variant.nodes).filter(id => variant.nodes[id] > 0 && themeOk(id) && net.nodes[id] &&
        codeById.has(id));
      const labelled = new Set(ids.slice().sort((a, b) => variant.nodes[b] - variant.nodes[a]).slice(0, 24));
      const name = id => short(codeName(codeById.get(id)), 30);
      const shown = new Set(ids);
      const top = Math.max(1, ...ids.map(id => variant.nodes[id]));
      const ex = [], ey = [];
      let edges = 0;
      for (const [a, b] of variant.edges) {
        if (!shown.has(a) || !shown.has(b)) continue;
        ex.push(net.nodes[a].x, net.nodes[b].x, null); ey.push(net.nodes[a].y, net.nodes[b].y, null); edges += 1;
      }
      networkChart.dataset.nodes = ids.length;
      networkChart.dataset.edges = edges;
      lazyPlot(networkChart, [
        { type: 'scatter', mode: 'lines', x: ex, y: ey, hoverinfo: 'skip', line: { color: '#6b7785', width: 2 }, name: 'links' },
        { type: 'scatter', mode: 'markers+text', x: ids.map(id => net.nodes[id].x), y: ids.map(id => net.nodes[id].y),
          text: ids.map(id => labelled.has(id) ? name(id) : ''), textposition: 'top center', textfont: { size: 10 },
          hovertext: ids.map(id => `${codeName(codeById.get(id))}: ${variant.nodes[id]}`), hoverinfo: 'text',
          marker: { size: ids.map(id => 8 + 26 * Math.sqrt(variant.nodes[id] / top)), color: ids.map(id => net.nodes[id].colour),
            line: { color: '#333', width: 0.6 } }, name: 'codes' }],
      { height: 560, showlegend: false, xaxis: { visible: false }, yaxis: { visible: false, autorange: 'reversed' } });
    }

    function update(fromUser) {
      const v = view(model, filters);
      root.dataset.quotes = v.quotes;
      status.textContent = `${v.quotes} quotes from ${v.sources} sources match`;
      // overview
      const shown = model.themes.filter(t => v.themes.some(x => x.id === t.id));
      plot(overviewChart, types.map(ty => ({ type: 'bar', name: ty, marker: { color: TYPE_COLOURS[ty] },
        x: shown.map(t => t.gloss || t.label),
        y: shown.map(t => { const vt = v.themes.find(x => x.id === t.id);
          const inView = new Set(vt.drill);
          return new Set(model.quotes.filter(q => q.theme === t.id && inView.has(q.id) && sourceById.get(q.source).type === ty).map(q => q.source)).size; }) })),
      { height: 300, yaxis: { title: { text: 'sources' }, automargin: true }, xaxis: { automargin: true } });
      // themes
      for (const t of model.themes) {
        const p = themeParts.get(t.id);
        const vt = v.themes.find(x => x.id === t.id);
        p.sec.hidden = !vt;
        if (!vt) continue;
        p.sec.dataset.sources = vt.sources;
        p.sec.dataset.quotes = vt.quotes;
        p.counter.textContent = `${vt.quotes} quotes from ${vt.sources} sources`;
        const codes = t.codes.filter(c => c.id !== t.id || types.some(ty => vt.counts[c.id][ty]));
        const totals = c => types.reduce((s, ty) => s + vt.counts[c.id][ty], 0);
        lazyPlot(p.chart, types.map(ty => ({ type: 'bar', orientation: 'h', name: ty, marker: { color: TYPE_COLOURS[ty] },
          y: codes.map(c => short(codeName(c), 42)), x: codes.map(c => vt.counts[c.id][ty]),
          hovertext: codes.map(c => c.label), hoverinfo: 'x+text+name' })),
        { height: Math.max(220, 26 * codes.length + 80), yaxis: { autorange: 'reversed', automargin: true },
          xaxis: { title: { text: 'sources' } } });
        p.keyCodes.textContent = '';
        const key = codes.filter(c => totals(c) > 0).sort((a, b) => totals(b) - totals(a)).slice(0, 5);
        for (const c of key) {
          p.keyCodes.appendChild(h('tr', { 'data-code': c.id }, h('td', {},
            h('span', { class: 'wb-code', style: `border-color:${c.colour}`, text: codeName(c) }),
            c.definition ? h('div', { class: 'wb-definition', text: c.definition }) : null), h('td', { text: String(totals(c)) })));
        }
        if (!key.length) p.keyCodes.appendChild(h('tr', {}, h('td', { colspan: 2, class: 'wb-empty', text: 'Nothing coded under these filters.' })));
        p.reps.textContent = '';
        for (const q of vt.representative) p.reps.appendChild(quoteEl(q));
        if (!vt.representative.length) p.reps.appendChild(h('p', { class: 'wb-empty', text: 'No quotes under these filters.' }));
        p.details.querySelector('summary').textContent = `More quotes (${vt.drill.length})`;
        lazyList(p.details, p.drill, vt.drill);
      }
      // activity
      if (activityParts && v.activity) {
        activityParts.body.textContent = '';
        for (const row of v.activity) {
          activityParts.body.appendChild(h('tr', { 'data-code': row.code, 'data-schools': row.schools },
            h('td', { text: row.activity }), h('td', { text: String(row.schools) }), h('td', { text: row.which.join(', ') })));
        }
        lazyPlot(activityParts.chart, [{ type: 'bar', orientation: 'h', marker: { color: TYPE_COLOURS.school },
          y: v.activity.map(r => r.activity), x: v.activity.map(r => r.schools), name: 'schools' }],
        { height: 260, yaxis: { autorange: 'reversed', automargin: true }, showlegend: false, xaxis: { title: { text: 'schools' }, dtick: 1 } });
      }
      if (networkChart) drawNetwork(v);
      if (transcriptList) {
        transcriptList.textContent = '';
        const sourceOk = s => Object.entries(filters).every(([k, val]) => !val || k === 'theme' ||
          (k === 'source_type' ? s.type === val : s.attributes[k] === val));
        for (const t of model.transcripts) {
          const s = sourceById.get(t.source);
          if (!sourceOk(s)) continue;
          const body = h('div', { class: 'wb-transcript' });
          const details = h('details', { class: 'wb-drill', 'data-source': t.source }, h('summary', { text: s.label }), body);
          details.addEventListener('toggle', () => {
            if (details.open && !body.childElementCount) {
              for (const turn of t.turns) body.appendChild(h('p', {}, turn.speaker ? h('strong', { text: turn.speaker + ': ' }) : null, turn.text));
            }
          });
          transcriptList.appendChild(details);
        }
      }
      if (topicParts) {
        const themeCodes = new Set(v.themes.flatMap(t => Object.keys(t.counts)));
        const rows = model.topics.topics.filter(t => !filters.theme || (t.best_code && themeCodes.has(t.best_code)));
        const n = t => filters.source_type ? (t.by_type[filters.source_type] || 0) : t.size;
        topicParts.body.textContent = '';
        for (const t of rows) {
          const c = t.best_code ? codeById.get(t.best_code) : null;
          topicParts.body.appendChild(h('tr', { 'data-topic': t.topic, 'data-passages': n(t) },
            h('td', {}, h('strong', { text: t.label }), h('div', { class: 'wb-hint', text: t.words })), h('td', { text: String(n(t)) }),
            h('td', { text: c ? `${codeName(c)} (${Math.round(100 * t.best_share)}%)` : (t.best_code || '-') })));
        }
        lazyPlot(topicParts.chart, [{ type: 'bar', orientation: 'h', y: rows.map(t => short(t.label, 36)), x: rows.map(n),
          marker: { color: rows.map(t => (t.best_code && codeById.get(t.best_code) ? codeById.get(t.best_code).colour : '#9aa5b1')) },
          hovertext: rows.map(t => t.words), hoverinfo: 'x+text', name: 'passages' }],
        { height: Math.max(220, 24 * rows.length + 60), showlegend: false, yaxis: { autorange: 'reversed', automargin: true },
          xaxis: { title: { text: 'passages' } } });
      }
      if (agreementBody) {
        agreementBody.textContent = '';
        const shownCodes = new Set(v.themes.flatMap(t => Object.keys(t.counts)));
        for (const r of model.agreement.codes.filter(r => shownCodes.has(r.code))) {
          agreementBody.appendChild(h('tr', { 'data-code': r.code }, h('td', { text: r.label }), h('td', { text: fmt(r.alpha) }),
            h('td', { text: r.alpha_low === null ? '' : `${fmt(r.alpha_low)}-${fmt(r.alpha_high)}` }), h('td', { text: fmt(r.kappa) })));
        }
      }
      // recommendations
      recList.textContent = '';
      for (const rv of v.recommendations) {
        const r = model.recommendations.find(x => x.id === rv.id);
        recList.appendChild(h('button', { type: 'button', class: 'wb-rec' + (selectedRec === r.id ? ' wb-selected' : ''),
          'data-rec': r.id, 'aria-pressed': selectedRec === r.id ? 'true' : 'false',
          onclick: () => { selectedRec = r.id; update(false); evidence.scrollIntoView({ block: 'nearest' }); } },
          h('strong', { text: r.title }), h('span', { text: r.text }),
          h('span', { class: 'wb-hint', text: `${rv.evidence.length} quotes on ${r.codes.length} code${r.codes.length === 1 ? "" : "s"}` })));
      }
      if (!v.recommendations.some(x => x.id === selectedRec)) selectedRec = null;
      showEvidence(v);
      root.dataset.filters = JSON.stringify(filters);
      if (fromUser && opts.onFilters) opts.onFilters(Object.assign({}, filters));
    }

    update(false);
    root.dataset.ready = 'true';
    return { update, filters, view: () => view(model, filters) };
  }

  globalThis.WorkbenchReport = { render, view, representative };
})();
