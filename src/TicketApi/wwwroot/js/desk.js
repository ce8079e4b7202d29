// The agent's desk (issue 17): state, screen pop with the caller's history, the call's order, call control.
// Everything comes from TicketApi: /console/api/desk/events (server-sent events, read with fetch so the key stays in a header).
"use strict";
(() => {
  const { el, json, when, duration } = hl;
  const $ = id => document.getElementById(id);
  const STATES = { "signed-out": "Signed out", ready: "Ready", "not-ready": "Not ready", ringing: "Ringing", talking: "Talking", "wrap-up": "Wrap-up" };
  let state = null, pop = null, order = null, catalogue = null;

  function renderState() {
    if (!state) return;
    $("state").textContent = (STATES[state.status] || state.status) + (state.status === "not-ready" && state.reason ? ` (${state.reason})` : "");
    $("state").dataset.status = state.status;
    $("agent-name").textContent = state.name ? `${state.name} (${state.agentId})` : state.agentId;
    const since = state.since ? Date.parse(state.since) : Date.now();
    $("state-time").textContent = duration((Date.now() - since) / 1000);
    const wrap = state.status === "wrap-up";
    $("wrap-up").hidden = !wrap;
    if (wrap) $("wrap-up-left").textContent = String(Math.max(0, Math.ceil(state.wrapUpSeconds - (Date.now() - since) / 1000)));
    const inCall = state.status === "talking";
    document.querySelectorAll("[data-call]").forEach(b => b.disabled = !inCall);
  }

  function renderPop() {
    $("pop").hidden = !pop;
    if (!pop) return;
    $("pop").dataset.callId = pop.callId;
    $("pop-number").textContent = pop.callerNumber || "(withheld)";
    $("pop-name").textContent = pop.callerName || "—";
    $("pop-queue").textContent = pop.queue || "—";
    $("pop-ivr").textContent = pop.ivrDigits ? `${pop.ivrDigits}${pop.nature ? " (" + pop.nature + ")" : ""}` : "none";
    $("pop-wait").textContent = duration(pop.waitMs / 1000);
    $("pop-call").textContent = `${pop.direction} · ${pop.callId}`;
    const h = pop.history;
    $("repeat").hidden = !(h && h.repeatCaller);
    if (h) {
      $("repeat").textContent = h.callsInWindow > 0
        ? `repeat caller (${h.callsInWindow} call${h.callsInWindow === 1 ? "" : "s"} recently)`
        : "repeat caller (open order)";
      $("history-orders").replaceChildren(...h.orders.map(o => el("tr", { "data-order": o.id, class: o.open ? "open" : "done" },
        el("td", {}, el("a", { href: `/orders/${o.id}`, target: "_blank" }, o.number)), el("td", {}, o.status,
          o.overdueFlaggedAt ? el("span", { class: "flag", "data-flagged": o.overdueFlaggedAt, title: "flagged by the overdue sweep (督办) at " + when(o.overdueFlaggedAt) }, " ⚑ supervised") : null), el("td", {}, o.nature || "—"),
        el("td", { class: "content" }, o.content), el("td", {}, when(o.createdAt)),
        el("td", {}, el("button", { type: "button", class: "secondary", onclick: () => callBack(o.id) }, "Call back")))));
      $("history-calls").replaceChildren(...h.calls.map(c => el("tr", { "data-call-id": c.callId },
        el("td", {}, when(c.offeredAt)), el("td", {}, c.queue || "—"), el("td", {}, c.agentId || "—"), el("td", {}, c.answered ? "yes" : "no"))));
    }
  }

  async function loadOrder() {
    const form = $("call-order");
    form.hidden = !pop || pop.direction !== "inbound";
    if (form.hidden) return;
    const r = await json(`/console/api/desk/calls/${encodeURIComponent(pop.callId)}/order`);
    order = r.ok ? r.body : null;
    form.reset();
    clearErrors(form);
    $("co-caller-number").value = order?.callerNumber ?? pop.callerNumber ?? "";
    $("co-caller-name").value = order?.callerName ?? pop.callerName ?? "";
    if (order) {
      $("co-nature").value = order.nature ?? "";
      $("co-category").value = order.category ?? "";
      $("co-content").value = order.content ?? "";
      $("co-address").value = order.address ?? "";
    } else if (pop.nature) {
      $("co-nature").value = pop.nature;
    }
    showOrder();
  }

  function showOrder() {
    $("order-number").textContent = order ? order.number : "not saved yet";
    $("order-status").textContent = order ? order.status : "";
    $("call-order").dataset.orderId = order ? order.id : "";
    confidential();
  }

  function confidential() {
    const n = catalogue?.natures.find(x => x.code === $("co-nature").value);
    $("co-confidential").checked = !!(n && n.confidentialReporter);
  }

  function clearErrors(form) { form.querySelectorAll(".error").forEach(e => e.textContent = ""); }

  function showProblem(form, r) {
    const errors = r.body?.errors || {};
    for (const [field, messages] of Object.entries(errors)) {
      const slot = form.querySelector(`.error[data-for="${field}"]`) || form.querySelector(".form-error");
      slot.textContent = messages.join(" ");
    }
    if (!r.body?.errors) form.querySelector(".form-error").textContent = r.body?.detail || `error ${r.status}`;
  }

  function fields() {
    const v = id => $(id).value.trim() || null;
    return { nature: v("co-nature"), category: v("co-category"), content: v("co-content"), callerName: v("co-caller-name"),
      callerNumber: v("co-caller-number"), address: v("co-address") };
  }

  async function saveOrder() {
    const form = $("call-order");
    clearErrors(form);
    const r = await json(`/console/api/desk/calls/${encodeURIComponent(pop.callId)}/order`, { method: "PUT", json: fields() });
    if (!r.ok) { showProblem(form, r); return false; }
    order = r.body;
    showOrder();
    return true;
  }

  async function step(name, extra) {
    const form = $("call-order");
    if (!await saveOrder()) return;
    const f = fields();
    const r = await json(`/api/workorders/${order.id}/${name}`, { method: "POST", json: Object.assign({ nature: f.nature, category: f.category, content: f.content }, extra) });
    if (!r.ok) { showProblem(form, r); return; }
    order = r.body;
    showOrder();
  }

  async function callBack(id) {
    const r = await json(`/console/api/desk/orders/${id}/call`, { method: "POST" });
    $("call-error").textContent = r.ok ? "" : (r.body?.detail || `error ${r.status}`);
  }

  function apply(m) {
    switch (m.type) {
      case "engine":
        $("engine").textContent = m.engine === "up" ? "live" : `AcdEngine away: ${m.reason}`;
        $("engine").className = "engine " + m.engine;
        document.body.classList.toggle("stale", m.engine !== "up");
        break;
      case "state":
        state = m;
        window.__states = (window.__states || []).concat([{ status: m.status, since: m.since, callId: m.callId, shownAt: Date.now() }]);
        renderState();
        break;
      case "pop":
        pop = m;
        // The instant the page shows the pop, for the latency figure (tests read it).
        window.__pops = (window.__pops || []).concat([{ callId: m.callId, shownAt: Date.now() }]);
        $("call-events").replaceChildren();
        renderPop();
        loadOrder();
        break;
      case "history":
        if (pop && pop.callId === m.callId) { pop.history = m.history; renderPop(); }
        break;
      case "call": {
        const e = m.event;
        const kind = Object.keys(e).find(k => !["eventId", "callId", "sequence", "nodeId", "occurredAt"].includes(k) && e[k] && typeof e[k] === "object");
        $("call-events").append(el("li", { "data-kind": kind || "" }, `${new Date(e.occurredAt).toLocaleTimeString("en-GB")} ${kind || "event"}`));
        break;
      }
    }
  }

  // Issue 17: the agent's own quality-review scores this month (the API gives an agent key nobody else's).
  async function loadQuality(pending) {
    const r = await (pending || json("/api/quality/scores"));
    if (!r.ok) { $("quality-summary").textContent = r.body?.detail || `error ${r.status}`; return; }
    const q = r.body;
    $("quality-month").textContent = q.month;
    $("quality-summary").textContent = q.scored === 0 ? "No recording of yours has been scored this month."
      : `${q.scored} recording${q.scored === 1 ? "" : "s"} scored, mean ${q.meanScore.toFixed(1)}/100 (${q.assessmentPoints}/40 assessment points).`;
    $("quality-scores").replaceChildren(...q.scores.map(s => el("tr", { "data-call-id": s.callId },
      el("td", {}, when(s.scoredAt)), el("td", { class: "muted" }, s.callId), el("td", { class: "num" }, String(s.greeting)),
      el("td", { class: "num" }, String(s.attitude)), el("td", { class: "num" }, String(s.accuracy)), el("td", { class: "num" }, String(s.holdUsage)),
      el("td", { class: "num total" }, String(s.total)), el("td", {}, s.comment || ""))));
    $("my-quality").dataset.loaded = "1";
  }

  async function listen() {
    for (;;) {
      try {
        const response = await hl.api("/console/api/desk/events", { headers: { Accept: "text/event-stream" } });
        if (!response.ok) { apply({ type: "engine", engine: "away", reason: (await response.json()).detail }); return; }
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
      apply({ type: "engine", engine: "away", reason: "console connection lost, reconnecting" });
      await new Promise(r => setTimeout(r, 2000));
    }
  }

  // The desk's own data is asked for at once, in parallel with who-am-I (first load: one round trip, not four in a row).
  const deskLoading = json("/console/api/desk"), catalogueLoading = json("/console/api/catalogue"), qualityLoading = json("/api/quality/scores");
  hl.signedIn("/desk").then(async () => {
    const desk = await deskLoading;
    if (!desk.ok) { $("engine").textContent = desk.body?.detail || "no desk"; return; }
    catalogue = (await catalogueLoading).body;
    $("not-ready-reason").replaceChildren(...desk.body.notReadyReasons.map(r => el("option", { value: r }, r)));
    $("consult-department").replaceChildren(...desk.body.departments.map(d => el("option", { value: d.id }, `${d.name}${d.code ? " (" + d.code + ")" : ""}`)));
    $("co-nature").append(...catalogue.natures.map(n => el("option", { value: n.code }, n.name)));
    $("co-category").append(...catalogue.categories.map(c => el("option", { value: c }, c)));
    $("co-nature").addEventListener("change", confidential);
    document.querySelectorAll("[data-state]").forEach(b => b.addEventListener("click", async () => {
      const r = await json(`/console/api/desk/state/${b.dataset.state}`, { method: "POST", json: { reason: $("not-ready-reason").value } });
      $("state-error").textContent = r.ok ? "" : (r.body?.detail || r.body?.title || `error ${r.status}`);
    }));
    $("wrap-up-done").addEventListener("click", async () => {
      const r = await json("/console/api/desk/state/wrap-up-done", { method: "POST", json: {} });
      $("state-error").textContent = r.ok ? "" : (r.body?.detail || `error ${r.status}`);
    });
    document.querySelectorAll("[data-call]").forEach(b => b.addEventListener("click", async () => {
      const r = await json(`/console/api/desk/call/${b.dataset.call}`, { method: "POST", json: { departmentId: $("consult-department").value, holdCaller: true } });
      $("call-error").textContent = r.ok ? "" : (r.body?.detail || r.body?.title || `error ${r.status}`);
    }));
    loadQuality(qualityLoading);
    $("call-order").addEventListener("submit", e => { e.preventDefault(); saveOrder(); });
    $("order-close").addEventListener("click", () => step("close", { resolution: $("co-resolution").value.trim() || null }));
    $("order-dispatch").addEventListener("click", () => step("dispatch", { departmentId: $("co-department").value.trim() || null }));
    // The endless event stream starts after the load event: Chromium counts a fetch begun before "load" as part of the
    // page's loading, and a stream that never ends would hold the load event (and anything waiting for it) forever.
    if (document.readyState !== "complete") await new Promise(r => addEventListener("load", r, { once: true }));
    listen();
    setInterval(renderState, 1000);
    if (performance.getEntriesByName("hotline-ready").length === 0) performance.mark("hotline-ready");
  });
})();
