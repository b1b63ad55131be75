// Botvisor dashboard: plain JavaScript, no framework, no CDN. Reads the daemon's own API with the
// session cookie and the session's token (X-CSRF-Token on every request: handed over once, at sign-in,
// in the URL's fragment, and kept in this origin's storage, which no other port of the host can read),
// and stays live from /events (SSE).
// Every value from the daemon reaches the page as text (textContent), never as HTML.
"use strict";
(() => {
  const KINDS = ["state", "audit", "health", "daemon", "orphan", "source", "node", "gateway", "alert"];
  const STATES = ["pending", "waiting", "starting", "running", "stopping", "backoff", "stopped", "failed", "unknown"]; // unknown: its node does not answer
  const ROW = 44;              // px, the fleet table's fixed row height (virtual scrolling)
  const HISTORY = 40;          // resource samples kept per bot (the trend: since the page opened)
  const MAX_EVENTS = 2000;
  const REMOTE_REFRESH_MS = 5000; // in a cluster: how often the bots other nodes run are read again
  const MAX_LOG = 2000;
  const KEY = "botvisor.session-token";

  const app = {
    csrf: null, actor: null, daemon: null, skew: 0, loadedAt: 0,
    bots: new Map(), history: new Map(), events: [], selected: new Set(),
    view: null, live: false, everLive: false,
  };

  // ---- small helpers ----
  const $ = (sel, root = document) => root.querySelector(sel);
  function h(tag, attrs, ...children) {
    const el = document.createElementNS(tag === "svg" || tag === "polyline" ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "class") el.setAttribute("class", v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
    return el;
  }
  const enc = encodeURIComponent;
  // Live updates rebuild parts of the page; whatever had the keyboard's focus there keeps it.
  function keepFocus(root, render) {
    const active = document.activeElement;
    const key = active && root.contains(active) ? active.dataset.focus : null;
    render();
    if (key && document.activeElement !== active) root.querySelector(`[data-focus="${CSS.escape(key)}"]`)?.focus({ preventScroll: true });
  }
  const now = () => Date.now() + app.skew;
  function fmtDuration(s) {
    if (s == null || !isFinite(s)) return "";
    s = Math.max(0, Math.floor(s));
    const d = Math.floor(s / 86400), hh = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    return d ? `${d}d${hh}h` : hh ? `${hh}h${m}m` : m ? `${m}m${sec}s` : `${sec}s`;
  }
  function fmtBytes(b) {
    if (b == null) return "";
    const u = ["B", "KiB", "MiB", "GiB"]; let i = 0;
    while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return (i ? b.toFixed(b < 10 ? 1 : 0) : b) + " " + u[i];
  }
  const fmtTime = (t) => t ? new Date(t).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }) : "";
  const fmtClock = (t) => { const d = new Date(t); return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0"); };
  const ago = (t) => t ? fmtDuration((now() - Date.parse(t)) / 1000) + " ago" : "";
  function toast(text) {
    const t = $("#toast"); t.textContent = text;
    clearTimeout(toast.timer); toast.timer = setTimeout(() => { t.textContent = ""; }, 6000);
  }

  // ---- optional fields other parts of the daemon may add (cluster nodes, the Bot API gateway) ----
  const nodeOf = (b) => b.node ?? b.nodeName ?? null;
  const gw = (b) => b.gateway || {};
  const lastPollOf = (b) => b.lastPollAt ?? b.lastPoll ?? gw(b).lastPollAt ?? gw(b).lastPoll ?? null;
  const rateLimitedOf = (b) => gw(b).methods ? Object.values(gw(b).methods).reduce((n, m) => n + (m.rateLimited || 0), 0) : null; // 429s, every method
  const sourceName = (s) => s && s.includes("/") ? s.slice(s.lastIndexOf("/") + 1) : s || ""; // a fleet file by its name
  const failingCheck = (b) => Object.entries(b.checks || {}).find(([, c]) => !c.healthy);

  // ---- the API ----
  async function api(path, method = "GET") {
    const headers = { accept: "application/json", "x-csrf-token": app.csrf };
    const r = await fetch(path, { method, headers, credentials: "same-origin" });
    if (r.status === 401 || (r.status === 403 && method === "GET")) { signIn(); throw new Error("signed out"); }
    const text = await r.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = null; }
    if (!r.ok) { const e = new Error((body && (body.detail || body.title)) || `${r.status} ${r.statusText}`); e.status = r.status; throw e; }
    return body;
  }

  function upsert(b) {
    app.bots.set(b.id, b);
    if (b.resources) {
      const list = app.history.get(b.id) || [];
      const at = b.resources.sampledAt;
      if (!list.length || list[list.length - 1].at !== at) {
        list.push({ at, rss: b.resources.rssBytes, cpu: b.resources.cpuPercent });
        if (list.length > HISTORY) list.shift();
        app.history.set(b.id, list);
      }
    }
  }

  async function loadStatus() {
    const s = await api("status");
    app.daemon = s.daemon;
    app.skew = Date.parse(s.daemon.startedAt) + s.daemon.uptimeSeconds * 1000 - Date.now();
    app.loadedAt = now();
    const ids = new Set(s.bots.map((b) => b.id));
    for (const b of s.bots) upsert(b);
    for (const id of [...app.bots.keys()]) if (!ids.has(id)) app.bots.delete(id);
    changed();
    loadNodes();
  }

  // The cluster's nodes (GET /nodes); a daemon on its own shows none.
  async function loadNodes() {
    try { const n = await api("nodes"); app.nodes = n.cluster ? n.nodes : null; changed(); } catch { app.nodes = null; }
  }

  // One bot changed: fetch just that bot. Many at once (restart all): one /status instead.
  const pending = new Set();
  let pumping = false;
  function refresh(id) { pending.add(id); if (!pumping) pump(); }
  async function pump() {
    pumping = true;
    try {
      await new Promise((r) => setTimeout(r, 60));
      while (pending.size) {
        if (pending.size > 40) { pending.clear(); await loadStatus(); continue; }
        const batch = [...pending].slice(0, 6);
        batch.forEach((id) => pending.delete(id));
        await Promise.all(batch.map(async (id) => {
          try { upsert(await api("bots/" + enc(id))); } catch (e) { if (e.status === 404) { app.bots.delete(id); app.selected.delete(id); } }
        }));
        changed();
      }
    } catch { /* the stream's reconnect reloads everything */ } finally { pumping = false; }
  }

  let scheduled = false;
  function changed() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; app.view?.update(); renderHeader(); });
  }

  // ---- the live stream ----
  const eventListeners = new Set();
  function connectEvents() {
    const es = new EventSource("events?tail=200");
    es.onopen = () => {
      const again = app.everLive;
      app.live = app.everLive = true; renderLive();
      if (again) loadStatus().catch(() => {}); // reconnected: whatever happened meanwhile is in /status
    };
    es.onerror = () => {
      app.live = false; renderLive();
      // Signed out meanwhile (the session ended, or the daemon restarted and forgot it): to the sign-in form.
      fetch("session", { credentials: "same-origin", headers: { "x-csrf-token": app.csrf } }).then((r) => { if (r.status === 401 || r.status === 403) signIn(); }, () => {});
    };
    const onMessage = (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch { return; }
      app.events.push(e);
      if (app.events.length > MAX_EVENTS) app.events.splice(0, app.events.length - MAX_EVENTS);
      const fresh = Date.parse(e.time) >= app.loadedAt - 2000;
      if (fresh && e.bot) refresh(e.bot);
      else if (fresh && e.kind === "daemon" && app.loadedAt) loadStatus().catch(() => {});
      else if (fresh && e.kind === "node") loadNodes();
      eventListeners.forEach((f) => f(e));
    };
    KINDS.forEach((k) => es.addEventListener(k, onMessage));
    es.onmessage = onMessage;
  }
  function renderLive() {
    const el = $("#live");
    el.textContent = app.live ? "live" : "reconnecting…";
    el.className = "live " + (app.live ? "on" : "off");
  }
  function renderHeader() {
    $("#who").textContent = app.actor ? "signed in as " + app.actor : "";
  }

  // ---- actions ----
  const ACTIONS = {
    start: { verb: "Start", doing: "starting", done: "started", allowed: (b) => ["stopped", "failed", "pending", "backoff", "waiting"].includes(b.state) },
    stop: { verb: "Stop", doing: "stopping", done: "stopped", allowed: (b) => !["stopped", "failed", "stopping"].includes(b.state) },
    restart: { verb: "Restart", doing: "restarting", done: "restarted", allowed: (b) => b.state !== "stopping" },
    remove: { verb: "Remove", doing: "removing", done: "removed", allowed: (b) => b.source === "api" },
  };
  function confirmDialog(text, verb) {
    const d = $("#confirm");
    $("#confirm-text").textContent = text;
    $("#confirm-ok").textContent = verb;
    d.returnValue = "";
    d.showModal();
    return new Promise((resolve) => d.addEventListener("close", () => resolve(d.returnValue === "ok"), { once: true }));
  }
  async function act(id, action) {
    if (action === "remove") { await api("bots/" + enc(id), "DELETE"); app.bots.delete(id); app.selected.delete(id); return null; }
    const b = await api(`bots/${enc(id)}/${action}`, "POST");
    upsert(b); changed();
    return b;
  }
  const describe = (b) => b ? `${b.state}${b.pid ? ` (pid ${b.pid})` : ""}${b.state !== "running" && b.reason ? ": " + b.reason : ""}` : "";

  // ---- fleet page ----
  function fleetView(root) {
    let filter = "", stateFilter = "", sortKey = "id", sortDir = 1, rows = [], timer = 0;
    const cols = [
      { key: "select", label: "Select", w: "40px" },
      { key: "id", label: "Bot", w: "minmax(90px,1fr)", narrow: "minmax(80px,1fr)", sort: (b) => b.id },
      { key: "username", label: "Username", w: "minmax(140px,1.2fr)", sort: (b) => b.username || "", wide: true },
      { key: "state", label: "State", w: "minmax(190px,2fr)", narrow: "minmax(105px,1.5fr)", sort: (b) => STATES.indexOf(b.state) },
      { key: "health", label: "Health", w: "minmax(120px,1fr)", narrow: "minmax(105px,1fr)", sort: (b) => b.health },
      { key: "node", label: "Node", w: "minmax(80px,.8fr)", sort: (b) => nodeOf(b) || "", optional: (b) => nodeOf(b) != null },
      { key: "pid", label: "PID", w: "64px", sort: (b) => b.pid || 0 },
      { key: "uptime", label: "Uptime", w: "72px", wide: true, sort: (b) => b.state === "running" ? Date.parse(b.startedAt) * -1 : -Infinity },
      { key: "restarts", label: "Restarts", w: "80px", sort: (b) => b.restarts },
      { key: "exit", label: "Last exit", w: "minmax(120px,1.2fr)", wide: true, sort: (b) => b.lastExit?.description || "" },
      { key: "rss", label: "RSS", w: "110px", sort: (b) => b.resources?.rssBytes ?? -1 },
      { key: "cpu", label: "CPU", w: "100px", sort: (b) => b.resources?.cpuPercent ?? -1 },
      { key: "poll", label: "Last poll", w: "96px", sort: (b) => lastPollOf(b) || "", optional: (b) => lastPollOf(b) != null },
      { key: "r429", label: "429s", w: "60px", sort: (b) => rateLimitedOf(b) ?? -1, optional: (b) => rateLimitedOf(b) != null },
      { key: "source", label: "Source", w: "minmax(100px,.8fr)", sort: (b) => b.source, wide: true },
    ];
    let shown = cols;

    const search = h("input", { type: "search", id: "filter", placeholder: "id, @username, reason…", "aria-controls": "fleet",
      oninput: (e) => { filter = e.target.value.trim().toLowerCase(); table.scrollTop = 0; update(); } });
    const stateSelect = h("select", { id: "state-filter", onchange: (e) => { stateFilter = e.target.value; update(); } },
      h("option", { value: "", text: "every state" }), STATES.map((s) => h("option", { value: s, text: s })));
    const summary = h("div", { class: "summary" });
    const bulkCount = h("span", { class: "muted", "aria-live": "polite" });
    const bulkButtons = ["start", "stop", "restart"].map((a) => h("button", { type: "button", "data-bulk": a, "aria-label": ACTIONS[a].verb + " the selected bots", onclick: () => bulk(a), text: ACTIONS[a].verb }));
    const head = h("div", { class: "row head", role: "row", "aria-rowindex": "1" });
    const body = h("div", { class: "body", role: "rowgroup" });
    const table = h("div", { class: "fleet", id: "fleet", role: "table", "aria-label": "Bots", tabindex: "0", onscroll: () => renderRows() }, h("div", { role: "rowgroup", class: "head-group" }, head), body);
    const empty = h("div", { class: "empty", hidden: true });
    root.replaceChildren(
      h("h1", { class: "visually-hidden", text: "Fleet" }),
      summary,
      h("div", { class: "toolbar" },
        h("label", { for: "filter", text: "Filter" }), search,
        h("label", { for: "state-filter", text: "State" }), stateSelect,
        h("span", { class: "spacer" }),
        h("div", { class: "bulk", role: "group", "aria-label": "Actions on the selected bots" }, bulkCount, bulkButtons)),
      table, empty);

    function visibleBots() {
      let list = [...app.bots.values()];
      if (stateFilter) list = list.filter((b) => b.state === stateFilter);
      if (filter) list = list.filter((b) => [b.id, b.username, b.state, b.reason, b.source, b.health, nodeOf(b)].some((v) => v && String(v).toLowerCase().includes(filter)));
      const col = cols.find((c) => c.key === sortKey);
      return list.sort((a, b) => { const x = col.sort(a), y = col.sort(b); return (x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1) * sortDir; });
    }

    function renderSummary() {
      const d = app.daemon;
      const counts = {};
      for (const b of app.bots.values()) counts[b.state] = (counts[b.state] || 0) + 1;
      const nodes = app.nodes;
      summary.replaceChildren(
        h("div", { class: "counts", role: "group", "aria-label": "Bots per state (select to filter)" },
          h("button", { type: "button", "data-focus": "count:", "aria-pressed": String(!stateFilter), onclick: () => setState("") }, "all ", h("b", { text: String(app.bots.size) })),
          STATES.filter((s) => counts[s]).map((s) => h("button", { type: "button", class: "count-" + s, "data-focus": "count:" + s, "aria-pressed": String(stateFilter === s), onclick: () => setState(stateFilter === s ? "" : s) },
            h("span", { class: "badge s-" + s, text: s }), h("b", { text: String(counts[s]) })))),
        d ? h("div", { class: "daemon" }, `Botvisor ${d.version} · up ${fmtDuration((now() - Date.parse(d.startedAt)) / 1000)} · pid ${d.pid}`,
          nodes ? ` · nodes: ${Array.isArray(nodes) ? nodes.map((n) => typeof n === "string" ? n : `${n.name} (${n.state ?? n.status ?? "up"})`).join(", ") : nodes}` : "") : "");
    }
    function setState(s) { stateFilter = s; stateSelect.value = s; table.scrollTop = 0; update(); }

    function renderHead() {
      const all = [...app.bots.values()];
      // On a phone, the columns that say the most: state and health next to the id, the rest on the bot's page.
      const narrow = matchMedia("(max-width: 700px)").matches;
      shown = cols.filter((c) => (!c.optional || all.some(c.optional)) && !(narrow && c.wide));
      table.style.setProperty("--cols", shown.map((c) => narrow && c.narrow ? c.narrow : c.w).join(" "));
      const allSelected = rows.length > 0 && rows.every((b) => app.selected.has(b.id));
      head.replaceChildren(...shown.map((c) => {
        if (c.key === "select") {
          return h("div", { class: "cell", role: "columnheader" }, h("input", { type: "checkbox", "data-focus": "select-all", "aria-label": "Select every bot shown", checked: allSelected,
            onchange: (e) => { rows.forEach((b) => e.target.checked ? app.selected.add(b.id) : app.selected.delete(b.id)); update(); } }));
        }
        return h("div", { class: "cell", role: "columnheader", "aria-sort": sortKey === c.key ? (sortDir > 0 ? "ascending" : "descending") : "none" },
          h("button", { type: "button", "data-focus": "sort:" + c.key, text: c.label, onclick: () => { sortDir = sortKey === c.key ? -sortDir : 1; sortKey = c.key; update(); } }));
      }));
    }

    function cell(c, b) {
      const hist = app.history.get(b.id) || [];
      switch (c.key) {
        case "select": return h("input", { type: "checkbox", "data-focus": "select:" + b.id, "aria-label": "Select " + b.id, checked: app.selected.has(b.id),
          onchange: (e) => { e.target.checked ? app.selected.add(b.id) : app.selected.delete(b.id); updateBulk(); keepFocus(root, renderHead); } });
        case "id": return h("a", { href: "#/bots/" + enc(b.id), "data-focus": "bot:" + b.id, text: b.id });
        case "username": return b.username || "";
        case "state": return [h("span", { class: "badge s-" + b.state, text: b.state }), " ", h("span", { class: "reason", text: b.state === "running" ? "" : b.reason })];
        case "health": { const f = failingCheck(b); return [h("span", { class: "badge h-" + b.health, text: b.health }), f ? h("span", { class: "reason", text: " " + f[0] }) : ""]; }
        case "node": return nodeOf(b) || "";
        case "pid": return b.pid ? String(b.pid) : "";
        case "uptime": return b.state === "running" && b.startedAt ? fmtDuration((now() - Date.parse(b.startedAt)) / 1000) : "";
        case "restarts": return String(b.restarts);
        case "exit": return b.lastExit ? b.lastExit.description : "";
        case "rss": return b.resources ? [fmtBytes(b.resources.rssBytes), spark(hist.map((p) => p.rss), 40, 16)] : "";
        case "cpu": return b.resources ? [b.resources.cpuPercent.toFixed(1) + "%", spark(hist.map((p) => p.cpu), 40, 16)] : "";
        case "poll": return lastPollOf(b) ? ago(lastPollOf(b)) : "";
        case "r429": return rateLimitedOf(b) != null ? String(rateLimitedOf(b)) : "";
        case "source": return h("span", { title: b.source, text: sourceName(b.source) });
      }
      return "";
    }

    const pool = [];
    function renderRows() {
      const top = Math.max(0, table.scrollTop - ROW);
      const first = Math.max(0, Math.floor(top / ROW) - 4);
      const count = Math.ceil(table.clientHeight / ROW) + 8;
      const last = Math.min(rows.length, first + count);
      body.style.height = rows.length * ROW + "px";
      while (pool.length < last - first) pool.push(h("div", { class: "row", role: "row" }));
      const used = pool.slice(0, Math.max(0, last - first));
      used.forEach((row, i) => {
        const b = rows[first + i];
        row.style.top = (first + i) * ROW + "px";
        row.classList.toggle("alt", (first + i) % 2 === 1);
        row.setAttribute("aria-rowindex", String(first + i + 2));
        row.dataset.bot = b.id;
        row.replaceChildren(...shown.map((c) => h("div", { class: "cell " + c.key, role: "cell" }, cell(c, b))));
      });
      body.replaceChildren(...used);
    }
    function updateBulk() {
      const n = [...app.selected].filter((id) => app.bots.has(id)).length;
      bulkCount.textContent = n ? `${n} selected` : "";
      bulkButtons.forEach((btn) => { btn.disabled = n === 0; });
    }
    function update() {
      rows = visibleBots();
      table.setAttribute("aria-rowcount", String(rows.length + 1));
      empty.hidden = rows.length > 0;
      empty.textContent = app.bots.size ? "No bot matches the filter." : "No bots yet.";
      keepFocus(root, () => { renderSummary(); renderHead(); renderRows(); });
      updateBulk();
    }
    async function bulk(action) {
      const ids = [...app.selected].filter((id) => app.bots.has(id) && ACTIONS[action].allowed(app.bots.get(id)));
      if (!ids.length) { toast(`None of the selected bots can be told to ${action} now.`); return; }
      if (!await confirmDialog(`${ACTIONS[action].verb} ${ids.length} bot(s): ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? "…" : ""}?`, ACTIONS[action].verb)) return;
      let ok = 0; const failed = [];
      const queue = [...ids];
      await Promise.all([1, 2, 3, 4].map(async () => { while (queue.length) { const id = queue.shift(); try { await act(id, action); ok++; } catch (e) { failed.push(`${id}: ${e.message}`); } } }));
      toast(`${ACTIONS[action].done} ${ok} of ${ids.length}` + (failed.length ? `; ${failed.join("; ")}` : ""));
      update();
    }
    // Uptimes tick; the visible rows' resources are re-read now and then (one bot each, never the whole list).
    let tick = 0;
    timer = setInterval(() => {
      keepFocus(root, () => { renderRows(); renderSummary(); });
      if (++tick % 10 === 0) rows.slice(Math.floor(table.scrollTop / ROW), Math.floor(table.scrollTop / ROW) + Math.ceil(table.clientHeight / ROW))
        .filter((b) => b.pid).slice(0, 40).forEach((b) => refresh(b.id));
    }, 1000);
    update();
    return { update, unmount: () => clearInterval(timer) };
  }

  function spark(values, w, hgt) {
    const v = values.filter((x) => x != null);
    if (v.length < 2) return null;
    const max = Math.max(...v), min = Math.min(...v), span = max - min || 1;
    const pts = v.map((x, i) => `${(i / (v.length - 1) * w).toFixed(1)},${(hgt - 1 - (x - min) / span * (hgt - 2)).toFixed(1)}`).join(" ");
    return h("svg", { class: "spark", width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, "aria-hidden": "true" }, h("polyline", { points: pts }));
  }

  // ---- bot page ----
  function botView(root, id) {
    const ctl = new AbortController();
    let lines = [], paused = false, unseen = 0, query = "", showOut = true, showErr = true;
    const result = h("p", { class: "result", role: "status", "aria-live": "polite" });
    const headBox = h("div", { class: "bot-head" });
    const actions = h("div", { class: "actions", role: "group", "aria-label": "Actions" },
      Object.entries(ACTIONS).map(([a, def]) => h("button", { type: "button", "data-action": a, class: a === "remove" ? "danger" : "", text: def.verb, onclick: () => run(a) })));
    const facts = h("dl", { class: "facts" });
    const definition = h("dl", { class: "facts" });
    const checks = h("div");
    const resources = h("div");
    const eventList = h("ul", { class: "events", "aria-label": "Events of " + id });
    const log = h("pre", { class: "log", id: "log", tabindex: "0", "aria-label": "Output of " + id, "aria-live": "off" });
    const pauseButton = h("button", { type: "button", id: "log-pause", "aria-pressed": "false", text: "Pause", onclick: () => { paused = !paused; unseen = 0; pauseButton.setAttribute("aria-pressed", String(paused)); renderLog(); } });
    const logSearch = h("input", { type: "search", id: "log-search", placeholder: "search the output", oninput: (e) => { query = e.target.value.toLowerCase(); renderLog(); } });
    root.replaceChildren(
      h("p", {}, h("a", { href: "#/", text: "← Fleet" })),
      headBox, actions, result,
      h("div", { class: "cards" },
        h("section", { class: "panel", "aria-labelledby": "h-status" }, h("h2", { id: "h-status", text: "Status" }), facts),
        h("section", { class: "panel", "aria-labelledby": "h-def" }, h("h2", { id: "h-def", text: "Definition" }), definition),
        h("section", { class: "panel", "aria-labelledby": "h-checks" }, h("h2", { id: "h-checks", text: "Health checks" }), checks),
        h("section", { class: "panel", "aria-labelledby": "h-res" }, h("h2", { id: "h-res", text: "Resources" }), resources)),
      h("section", { class: "panel", "aria-labelledby": "h-log" }, h("h2", { id: "h-log", text: "Output" }),
        h("div", { class: "log-tools" }, pauseButton,
          h("label", { for: "log-search", class: "visually-hidden", text: "Search the output" }), logSearch,
          h("label", {}, h("input", { type: "checkbox", id: "log-stdout", checked: true, onchange: (e) => { showOut = e.target.checked; renderLog(); } }), " stdout"),
          h("label", {}, h("input", { type: "checkbox", id: "log-stderr", checked: true, onchange: (e) => { showErr = e.target.checked; renderLog(); } }), " stderr")),
        log),
      h("section", { class: "panel", "aria-labelledby": "h-events" }, h("h2", { id: "h-events", text: "Events" }), eventList));

    async function run(action) {
      const def = ACTIONS[action];
      if (!await confirmDialog(`${def.verb} bot ${id}?`, def.verb)) return;
      result.className = "result"; result.textContent = `${def.doing} ${id}…`;
      actions.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      try {
        const b = await act(id, action);
        result.className = "result ok";
        result.textContent = `${def.done} ${id}` + (b ? `: ${describe(b)}` : "");
        if (action === "remove") { location.hash = "#/"; toast(`removed ${id}`); return; }
      } catch (e) {
        result.className = "result bad"; result.textContent = `${def.verb} failed: ${e.message}`;
      }
      update();
    }

    function fact(list, label, value) { if (value !== "" && value != null) list.append(h("dt", { text: label }), h("dd", {}, value)); }
    function update() {
      const b = app.bots.get(id);
      if (!b) { headBox.replaceChildren(h("h1", { text: id }), h("span", { class: "muted", text: "loading…" })); return; }
      headBox.replaceChildren(h("h1", { text: b.id }), b.username ? h("span", { class: "muted", text: b.username }) : "",
        h("span", { class: "badge s-" + b.state, id: "bot-state", text: b.state }), h("span", { class: "badge h-" + b.health, text: b.health }));
      actions.querySelectorAll("button").forEach((btn) => { const a = ACTIONS[btn.dataset.action]; btn.disabled = !a.allowed(b); btn.hidden = btn.dataset.action === "remove" && b.source !== "api"; });
      facts.replaceChildren();
      fact(facts, "Reason", b.reason);
      fact(facts, "PID", b.pid ? h("span", { id: "bot-pid", text: String(b.pid) }) : "");
      fact(facts, "Uptime", b.state === "running" && b.startedAt ? fmtDuration((now() - Date.parse(b.startedAt)) / 1000) : "");
      fact(facts, "Started", fmtTime(b.startedAt));
      fact(facts, "Restarts", String(b.restarts));
      fact(facts, "Last exit", b.lastExit?.description);
      fact(facts, "Next start", fmtTime(b.nextStartAt));
      fact(facts, "Ready", b.ready ? "yes" : "");
      fact(facts, "Status text", b.statusText);
      fact(facts, "Polling conflicts", b.conflicts ? String(b.conflicts) : "");
      fact(facts, "Node", nodeOf(b));
      fact(facts, "Last poll", lastPollOf(b) ? `${ago(lastPollOf(b))} (${fmtTime(lastPollOf(b))})` : "");
      fact(facts, "429s", rateLimitedOf(b) != null ? String(rateLimitedOf(b)) : "");
      fact(facts, "Updates delivered", gw(b).updatesDelivered != null ? String(gw(b).updatesDelivered) : "");
      fact(facts, "Held by Telegram", gw(b).retryAfter ? `retry after ${gw(b).retryAfter}s (429)` : "");
      fact(facts, "Behind the gateway", b.behindGateway ? "yes (the worker has a placeholder token)" : "");
      renderDefinition(b);
      const cs = Object.entries(b.checks || {});
      checks.replaceChildren(cs.length
        ? h("table", { class: "simple" }, h("thead", {}, h("tr", {}, ["Check", "Result", "Message", "When"].map((t) => h("th", { scope: "col", text: t })))),
          h("tbody", {}, cs.map(([name, c]) => h("tr", {}, h("td", { text: name }), h("td", {}, h("span", { class: "badge " + (c.healthy ? "h-healthy" : "h-unhealthy"), text: c.healthy ? "passing" : "failing" })),
            h("td", { text: c.message }), h("td", { text: ago(c.time) })))))
        : h("p", { class: "muted", text: "No check has run (a process that runs is the only check configured)." }));
      const hist = app.history.get(id) || [];
      resources.replaceChildren(b.resources
        ? h("dl", { class: "facts" },
          h("dt", { text: "RSS" }), h("dd", {}, fmtBytes(b.resources.rssBytes), chart(hist.map((p) => p.rss))),
          h("dt", { text: "CPU" }), h("dd", {}, b.resources.cpuPercent.toFixed(1) + "%", chart(hist.map((p) => p.cpu))),
          h("dt", { text: "Processes" }), h("dd", { text: String(b.resources.processes) }))
        : h("p", { class: "muted", text: "No worker runs." }));
    }
    // The definition as the daemon resolved it (GET bots/ID/definition: defaults applied, no secret).
    let resolved = null;
    async function loadDefinition() {
      try { resolved = await api(`bots/${enc(id)}/definition`); update(); } catch { /* shown from the status meanwhile */ }
    }
    function renderDefinition(b) {
      const d = resolved, code = (t) => h("code", { text: t });
      definition.replaceChildren();
      fact(definition, "Source", b.source);
      fact(definition, "Command", code((d?.command || b.command || []).join(" ")));
      fact(definition, "Working directory", d?.cwd);
      fact(definition, "Token", b.token ? code(b.token) : "");
      fact(definition, "Environment", d ? (d.env_names.length ? d.env_names.join(", ") : "none") + (d.inherit_env ? " (and the daemon's)" : "") : "");
      fact(definition, "Autostart", b.autostart ? "yes" : "no");
      fact(definition, "Depends on", (b.dependsOn || []).join(", "));
      if (d) {
        fact(definition, "Restart", `${d.restart}; at most ${d.max_restarts} in a row, a run of ${d.min_uptime} counts as stable`);
        fact(definition, "Backoff", `${d.backoff.initial} × ${d.backoff.multiplier} up to ${d.backoff.max}, jitter ${d.backoff.jitter}`);
        fact(definition, "Stop", `${d.stop_signal}, then SIGKILL after ${d.stop_timeout}`);
        fact(definition, "Ready", d.ready === "notify" ? `on READY=1, within ${d.start_timeout}` : "when started");
        fact(definition, "Watchdog", d.watchdog);
        fact(definition, "HTTP probe", d.health ? `${d.health.http} every ${d.health.interval} (timeout ${d.health.timeout}, ${d.health.failures} failures)` : "");
        fact(definition, "Account", d.user ? d.user + (d.group ? ":" + d.group : "") : "");
        fact(definition, "Logs", `${fmtBytes(d.logs.max_size)} × ${d.logs.max_files} files`);
        fact(definition, "Telegram", `${d.telegram.api_base_url}${d.telegram.validate ? "; getMe before each start" : ""}${d.telegram.check_interval ? `, every ${d.telegram.check_interval}` : ""}${d.telegram.clear_webhook ? "; webhook cleared" : ""}`);
      }
      if (b.limits) {
        fact(definition, "Memory limit", b.limits.memoryMax != null ? `${fmtBytes(b.limits.memoryMax)} (${b.limits.memoryEnforcement})` : "");
        fact(definition, "CPU limit", b.limits.cpuMax != null ? `${b.limits.cpuMax} CPU (${b.limits.cpuEnforcement})` : "");
      }
    }
    function chart(values) {
      const s = spark(values, 300, 60);
      if (s) { s.setAttribute("class", "chart"); s.setAttribute("preserveAspectRatio", "none"); }
      return s;
    }

    // The bot's events: its history from the store, then live.
    const es = new EventSource(`events?bot=${enc(id)}&tail=50`);
    const onEvent = (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch { return; }
      eventList.prepend(eventItem(e));
      if (e.kind === "audit" || e.kind === "daemon") loadDefinition(); // replaced or reloaded: read it again
      while (eventList.childElementCount > 200) eventList.lastElementChild.remove();
    };
    KINDS.forEach((k) => es.addEventListener(k, onEvent));

    // The output: the last 200 lines, then followed as they come.
    function lineMatches(l) { return (l.stream === "stderr" ? showErr : showOut) && (!query || l.text.toLowerCase().includes(query)); }
    function lineElement(l) {
      const text = h("span", { class: "x" });
      if (query) {
        const lower = l.text.toLowerCase(); let i = 0, j;
        while ((j = lower.indexOf(query, i)) >= 0) { text.append(l.text.slice(i, j), h("mark", { text: l.text.slice(j, j + query.length) })); i = j + query.length; }
        text.append(l.text.slice(i));
      } else text.textContent = l.text;
      return h("span", { class: "line " + l.stream }, h("span", { class: "t", text: fmtClock(l.time) + " " + (l.stream === "stderr" ? "err " : "out ") }), text, "\n");
    }
    function atBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 40; }
    function renderLog() {
      pauseButton.textContent = paused ? (unseen ? `Resume (${unseen} new)` : "Resume") : "Pause";
      if (paused) return;
      log.replaceChildren(...lines.filter(lineMatches).slice(-1000).map(lineElement));
      log.scrollTop = log.scrollHeight;
    }
    function addLine(raw) {
      const m = /^(\S+) (stdout|stderr) (.*)$/.exec(raw);
      const l = m ? { time: Date.parse(m[1]), stream: m[2], text: m[3] } : { time: now(), stream: "stdout", text: raw };
      lines.push(l);
      if (lines.length > MAX_LOG) lines.splice(0, lines.length - MAX_LOG);
      if (paused) { unseen++; pauseButton.textContent = `Resume (${unseen} new)`; return; }
      if (!lineMatches(l)) return;
      const stick = atBottom();
      log.append(lineElement(l));
      while (log.childElementCount > 1000) log.firstElementChild.remove();
      if (stick) log.scrollTop = log.scrollHeight;
    }
    async function follow() {
      while (!ctl.signal.aborted) {
        try {
          const r = await fetch(`bots/${enc(id)}/logs?follow=true&tail=200`, { signal: ctl.signal, credentials: "same-origin", headers: { "x-csrf-token": app.csrf } });
          if (r.status === 401 || r.status === 403) { signIn(); return; }
          if (!r.ok) { log.textContent = `The output cannot be read: ${r.status}`; return; }
          lines = []; renderLog();
          const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let i;
            while ((i = buffer.indexOf("\n")) >= 0) { addLine(buffer.slice(0, i)); buffer = buffer.slice(i + 1); }
          }
        } catch (e) { if (ctl.signal.aborted) return; }
        await new Promise((r) => setTimeout(r, 2000)); // the daemon restarted: follow again
      }
    }
    follow();
    loadDefinition();

    let tick = 0;
    const timer = setInterval(() => { if (++tick % 5 === 0) refresh(id); else update(); }, 1000);
    refresh(id);
    update();
    return { update, unmount: () => { ctl.abort(); es.close(); clearInterval(timer); } };
  }

  function eventItem(e) {
    return h("li", { "data-kind": e.kind },
      h("time", { datetime: e.time, text: fmtTime(e.time) }),
      h("span", { class: "k", text: e.kind }),
      e.bot ? h("a", { href: "#/bots/" + enc(e.bot), text: e.bot }) : h("span", { class: "muted", text: "daemon" }),
      h("span", {}, e.message,
        e.epoch != null && e.kind !== "node" ? h("span", { class: "muted", text: ` (epoch ${e.epoch})` }) : "", // a node event names its epoch already
        e.actor ? h("span", { class: "muted", text: ` (${e.actor})` }) : ""));
  }

  // ---- events page ----
  function eventsView(root) {
    let bot = "", kind = "";
    const list = h("ul", { class: "events", id: "event-list", "aria-label": "Events, newest first" });
    const botInput = h("input", { type: "search", id: "event-bot", placeholder: "bot id", list: "bot-ids", oninput: (e) => { bot = e.target.value.trim(); render(); } });
    const kindSelect = h("select", { id: "event-kind", onchange: (e) => { kind = e.target.value; render(); } },
      h("option", { value: "", text: "every kind" }), KINDS.map((k) => h("option", { value: k, text: k })));
    const ids = h("datalist", { id: "bot-ids" });
    root.replaceChildren(h("h1", { text: "Events" }),
      h("div", { class: "toolbar" }, h("label", { for: "event-bot", text: "Bot" }), botInput, ids,
        h("label", { for: "event-kind", text: "Kind" }), kindSelect,
        h("span", { class: "muted", text: "state changes, who did what (audit), health, the daemon's own — live" })),
      h("div", { class: "panel" }, list));
    const matches = (e) => (!bot || (e.bot || "").includes(bot)) && (!kind || e.kind === kind);
    function render() {
      list.replaceChildren(...app.events.filter(matches).slice(-500).reverse().map(eventItem));
      if (!list.childElementCount) list.append(h("li", { class: "muted", text: "No events match." }));
    }
    const onEvent = (e) => {
      if (!matches(e)) return;
      if (list.firstElementChild?.classList.contains("muted")) list.replaceChildren();
      list.prepend(eventItem(e));
      while (list.childElementCount > 500) list.lastElementChild.remove();
    };
    eventListeners.add(onEvent);
    render();
    return {
      update: () => ids.replaceChildren(...[...app.bots.keys()].slice(0, 2000).map((b) => h("option", { value: b }))),
      unmount: () => eventListeners.delete(onEvent),
    };
  }

  // ---- routing ----
  function route() {
    app.view?.unmount();
    const root = $("#view");
    const hash = location.hash || "#/";
    let m, page;
    if ((m = /^#\/bots\/(.+)$/.exec(hash))) { page = "fleet"; app.view = botView(root, decodeURIComponent(m[1])); document.title = decodeURIComponent(m[1]) + " · Botvisor"; }
    else if (hash.startsWith("#/events")) { page = "events"; app.view = eventsView(root); document.title = "Events · Botvisor"; }
    else { page = "fleet"; app.view = fleetView(root); document.title = "Fleet · Botvisor"; }
    document.querySelectorAll("[data-nav]").forEach((a) => a.toggleAttribute("aria-current", false));
    document.querySelector(`[data-nav=${page}]`)?.setAttribute("aria-current", "page");
    app.view.update();
  }

  function signIn() {
    localStorage.removeItem(KEY);
    location.href = "login";
  }

  async function start() {
    // Just signed in: the session's token is in the fragment; keep it, and take it out of the address.
    const handed = /^#k=([^&]+)(?:&next=([a-z][a-z0-9/_.-]*))?$/.exec(location.hash);
    if (handed) {
      localStorage.setItem(KEY, decodeURIComponent(handed[1]));
      history.replaceState(null, "", location.pathname + location.search + "#/");
      if (handed[2]) { location.replace(handed[2]); return; }
    }
    app.csrf = localStorage.getItem(KEY);
    if (!app.csrf) { signIn(); return; }
    $("#logout").addEventListener("click", async () => { try { await api("logout", "POST"); } finally { signIn(); } });
    try {
      const s = await api("session");
      app.actor = s.actor;
    } catch (e) { $("#view").textContent = "Cannot start: " + e.message; return; }
    renderHeader();
    connectEvents();
    await loadStatus().catch((e) => toast("Cannot read the fleet: " + e.message));
    // In a cluster, the events of bots other nodes run happen there: their state is read again every few seconds (the daemon asks their nodes).
    setInterval(() => {
      const self = app.daemon && app.daemon.node;
      if (self && [...app.bots.values()].some((b) => nodeOf(b) && nodeOf(b) !== self)) loadStatus().catch(() => {});
    }, REMOTE_REFRESH_MS);
    window.addEventListener("hashchange", route);
    route();
  }
  start();
})();
