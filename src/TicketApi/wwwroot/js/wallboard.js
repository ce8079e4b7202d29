// Wallboard: live queue and agent figures pushed by TicketApi (server-sent events fed by AcdEngine's WatchStats).
"use strict";
(() => {
  const { el, pct, duration, clock } = hl;
  // DOMAIN.md targets: timely answer (answered within 15 s ÷ answered) ≥ 80 %; connection rate ≥ 95 %.
  const SL_TARGET = 0.8, CONNECTION_TARGET = 0.95;
  const STATES = {
    AGENT_STATUS_READY: "Ready", AGENT_STATUS_RINGING: "Ringing", AGENT_STATUS_TALKING: "Talking",
    AGENT_STATUS_WRAP_UP: "Wrap-up", AGENT_STATUS_NOT_READY: "Not ready", AGENT_STATUS_SIGNED_OUT: "Signed out",
  };
  let snapshot = null;

  function tile(label, value, opts = {}) {
    return el("div", { class: "tile" + (opts.below ? " below" : ""), "data-figure": opts.id },
      el("div", { class: "label" }, label),
      el("div", { class: "value" }, value),
      opts.below ? el("div", { class: "flag" }, opts.flag) : (opts.note ? el("div", { class: "note" }, opts.note) : null));
  }

  function renderQueues() {
    const box = document.getElementById("queues");
    const queues = snapshot?.queues ?? [];
    if (queues.length === 0) { box.replaceChildren(el("p", { class: "muted" }, "No queue figures yet.")); return; }
    box.replaceChildren(...queues.map(q => {
      const slToday = q.answeredToday > 0 ? q.serviceLevelToday : null;
      const connection = q.offeredToday > 0 ? q.answeredToday / q.offeredToday : null;
      return el("article", { class: "queue", "data-queue": q.queue },
        el("h2", {}, q.queue),
        el("div", { class: "tiles big" },
          tile("Callers waiting", q.waiting, { id: "waiting" }),
          tile("Longest wait", duration(q.longestWaitMs / 1000), { id: "longest-wait" }),
          tile("Service level today", pct(slToday), { id: "sl-today", below: slToday !== null && slToday < SL_TARGET, flag: "below 80 %", note: "target 80 % in 15 s" }),
          tile("Service level 15 min", pct(q.answeredToday > 0 ? q.serviceLevel15m : null), { id: "sl-15m", below: q.answeredToday > 0 && q.serviceLevel15m < SL_TARGET, flag: "below 80 %", note: "target 80 %" })),
        el("div", { class: "tiles" },
          tile("Offered", q.offeredToday, { id: "offered" }),
          tile("Answered", q.answeredToday, { id: "answered", below: connection !== null && connection < CONNECTION_TARGET, flag: `${pct(connection)} · below 95 %` }),
          tile("Abandoned", q.abandonedToday, { id: "abandoned" }),
          tile("Avg speed of answer", q.answeredToday > 0 ? (q.averageSpeedOfAnswerMs / 1000).toFixed(1) + " s" : "—", { id: "asa" })),
        el("div", { class: "tiles agents-by-state" },
          tile("Ready", q.agentsReady, { id: "ready" }), tile("Ringing", q.agentsRinging, { id: "ringing" }),
          tile("Talking", q.agentsTalking, { id: "talking" }), tile("Wrap-up", q.agentsWrapUp, { id: "wrap-up" }),
          tile("Not ready", q.agentsNotReady, { id: "not-ready" })));
    }));
  }

  function renderAgents() {
    const now = Date.now();
    const agents = (snapshot?.agents ?? []).filter(a => a.status !== "AGENT_STATUS_SIGNED_OUT");
    document.getElementById("agents").replaceChildren(...agents.map(a => el("tr", { "data-agent": a.agentId, class: "state-" + (STATES[a.status] || "").toLowerCase().replace(/\W/g, "") },
      // Agents[].Name from the engine's configuration; the id alone when none is set.
      el("td", {}, a.name ? `${a.name} (${a.agentId})` : a.agentId),
      el("td", {}, (STATES[a.status] || a.status) + (a.status === "AGENT_STATUS_NOT_READY" && a.reason ? ` (${a.reason})` : "")),
      el("td", { class: "num" }, a.since ? duration((now - Date.parse(a.since)) / 1000) : "—"),
      el("td", { class: "num" }, a.callsHandledToday))));
  }

  function apply(message) {
    const engine = document.getElementById("engine");
    engine.textContent = message.engine === "up" ? "live" : `AcdEngine away: ${message.reason} — last known figures`;
    engine.className = "engine " + message.engine;
    document.body.classList.toggle("stale", message.engine !== "up");
    if (message.snapshot) snapshot = message.snapshot;
    document.getElementById("updated").textContent = snapshot?.at ? "as of " + clock(snapshot.at) : "";
    renderQueues();
    renderAgents();
    if (performance.getEntriesByName("hotline-ready").length === 0) performance.mark("hotline-ready");
  }

  // fetch() rather than EventSource so that the key travels as a header, not in the URL.
  async function listen() {
    for (;;) {
      try {
        const response = await hl.api("/console/api/live", { headers: { Accept: "text/event-stream" } });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split("\n").filter(l => l.startsWith("data: ")).map(l => l.slice(6)).join("\n");
            if (data) apply(JSON.parse(data));
          }
        }
      } catch (e) {
        if (e.message === "signed out") return;
      }
      apply({ engine: "away", reason: "console connection lost, reconnecting", snapshot: null });
      await new Promise(r => setTimeout(r, 2000));
    }
  }

  // DOMAIN.md step 8: orders past their dispatch cut-off or reply deadline, flagged by TicketApi's overdue sweep.
  async function renderOverdue() {
    const r = await hl.json("/api/supervision/overdue");
    const box = document.getElementById("overdue");
    if (!r.ok) { box.replaceChildren(el("p", { class: "muted" }, "Overdue figures unavailable.")); return; }
    box.replaceChildren(...(r.body.departments.length === 0 ? [el("p", { class: "muted" }, "No order is overdue.")]
      : r.body.departments.map(d => el("a", { href: "/orders?overdue=true" + (d.departmentId ? "&department=" + encodeURIComponent(d.departmentId) : ""), "data-department": d.departmentId },
          tile(d.departmentId || "hotline (to dispatch)", d.overdue, { id: "overdue", below: d.overdue > 0, flag: `${d.flagged} flagged` })))));
  }

  hl.signedIn("/wallboard").then(() => { listen(); setInterval(renderAgents, 1000); renderOverdue(); setInterval(renderOverdue, 30000); });
})();
