// One work order: details, call timeline + recording, audit trail, and the lifecycle steps the role may take.
"use strict";
(async () => {
  const { el, when } = hl;
  const id = location.pathname.split("/").pop();
  const loading = hl.json("/api/workorders/" + encodeURIComponent(id));   // in parallel with who-am-I
  const me = await hl.signedIn("/orders");
  const main = document.getElementById("main");
  const hotline = ["agent", "supervisor", "admin"].includes(me.role);
  const deptStaff = ["department", "supervisor", "admin"].includes(me.role);
  const supervisor = ["supervisor", "admin"].includes(me.role);

  // Lifecycle steps (docs/ticketapi.md): which state allows it, who may, and its fields.
  const text = (name, label, opts = {}) => ({ name, label, type: "text", ...opts });
  const natures = [["", "— keep —"], ["consultation", "consultation"], ["help", "help"], ["complaint", "complaint"], ["report", "report"], ["suggestion", "suggestion"], ["praise", "praise"]];
  const STEPS = [
    { path: "dispatch", title: "Dispatch", when: ["Registered", "Returned"], may: hotline, fields: [text("departmentId", "Department"), { name: "nature", label: "Nature", type: "select", options: natures }, text("category", "Category (optional)")] },
    { path: "close", title: "Close on the spot", when: ["Registered", "Returned"], may: hotline, fields: [text("resolution", "Resolution", { area: true })] },
    { path: "return", title: "Return (wrong department)", when: ["Dispatched"], may: deptStaff, fields: [text("reason", "Reason", { area: true })] },
    { path: "extension", title: "Ask for an extension", when: ["Dispatched"], may: deptStaff, fields: [{ name: "days", label: "Days (1–7)", type: "number" }, text("reason", "Reason")] },
    { path: "extension/decision", title: "Decide the extension", when: ["Dispatched"], may: hotline, pending: true,
      fields: [{ name: "approve", label: "Decision", type: "select", options: [["true", "Approve"], ["false", "Refuse"]] }, text("reason", "Reason")] },
    { path: "reply", title: "Reply", when: ["Dispatched"], may: deptStaff, fields: [text("reply", "Outcome for the caller", { area: true })] },
    { path: "review", title: "Accept the reply", when: ["Replied"], may: hotline, fields: [text("note", "Note (optional)")] },
    { path: "rework", title: "Send back for rework", when: ["Replied"], may: hotline, fields: [text("reason", "Reason")] },
    { path: "callback", title: "Call back", when: ["Reviewed"], may: hotline,
      fields: [{ name: "satisfaction", label: "Satisfaction", type: "select", options: [["", "— choose —"], ["Satisfied", "Satisfied"], ["BasicallySatisfied", "Basically satisfied"], ["NotSatisfied", "Not satisfied"]] }, text("note", "Note (optional)")] },
    { path: "supervise", title: "Supervise (督办)", when: ["Registered", "Dispatched", "Returned", "Replied", "Reviewed"], may: supervisor, fields: [text("reason", "Reason")] },
    { path: "archive", title: "Archive", when: ["Closed", "CalledBack"], may: hotline, fields: [] },
  ];

  const r = await loading;
  if (!r.ok) {
    const message = r.status === 403 ? "You may not open this order: it belongs to another department."
      : r.status === 404 ? "No such order." : (r.body?.detail || `Error ${r.status}`);
    main.replaceChildren(el("h1", {}, "Work order"), el("p", { class: "denied", id: "denied" }, message), el("a", { href: "/orders" }, "‹ Back to the list"));
    performance.mark("hotline-ready");
    return;
  }
  const { order: o, audit, callTimeline } = r.body;
  document.title = `Hotline · ${o.number}`;

  const row = (k, v) => [el("dt", {}, k), el("dd", {}, v ?? "—")];
  const details = el("dl", { class: "details" },
    row("Status", el("span", { class: "badge " + o.status.toLowerCase(), id: "status" }, o.status)),
    row("Kind", o.kind), row("Channel", o.channel), row("Nature", o.nature), row("Category", o.category),
    row("Caller", o.reporterHidden ? "confidential (report)" : [o.callerName, o.callerNumber].filter(Boolean).join(" · ") || "—"),
    row("Address", o.reporterHidden ? "confidential" : o.address),
    row("Department", o.departmentId), row("Created", when(o.createdAt)), row("Dispatch due", when(o.dispatchDueAt)),
    row("Deadline", [when(o.deadlineAt), o.overdue ? el("span", { class: "flag" }, " overdue") : null]),
    row("Returns / reworks / reopens", `${o.returnCount} / ${o.reworkCount} / ${o.reopenCount}`),
    row("Extensions", `${o.extensionsGranted} granted` + (o.pendingExtensionDays ? ` · ${o.pendingExtensionDays} days asked: ${o.pendingExtensionReason}` : "")),
    row("Reply", o.reply), row("Callback", o.calledBackAt ? `${when(o.calledBackAt)} · ${o.callbackSatisfaction}` : (o.callbackDueAt ? "due " + when(o.callbackDueAt) : null)),
    row("Resolution", o.resolution), row("Supervised", o.supervised ? "yes" : "no"));

  // Contract enum names → words for people (the timeline shows no HANGUP_BY_CALLER).
  const LABELS = {
    HANGUP_BY_CALLER: "the caller", HANGUP_BY_AGENT: "the agent", HANGUP_BY_SYSTEM: "the system", HANGUP_BY_UNSPECIFIED: "?",
    ABANDON_POINT_IVR: "the menu", ABANDON_POINT_QUEUE: "the queue", ABANDON_POINT_RINGING: "ringing", ABANDON_POINT_UNSPECIFIED: "?",
    SATISFACTION_SCORE_SATISFIED: "satisfied", SATISFACTION_SCORE_BASICALLY_SATISFIED: "basically satisfied",
    SATISFACTION_SCORE_NOT_SATISFIED: "not satisfied", SATISFACTION_SCORE_NOT_RATED: "not rated",
  };
  const label = v => LABELS[v] ?? (v ? String(v).toLowerCase().replaceAll("_", " ") : "?");
  const kindLabel = k => String(k).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

  function describe(e) {
    if (e.queued) return `queue ${e.queued.queue}, position ${e.queued.position ?? 1}`;
    if (e.answered) return `by agent ${e.answered.agentId} after ${((e.answered.waitMs ?? 0) / 1000).toFixed(1)} s` + (e.answered.withinServiceLevel ? " (within 15 s)" : " (over 15 s)");
    if (e.abandoned) return `after ${((e.abandoned.waitMs ?? 0) / 1000).toFixed(1)} s in ${label(e.abandoned.where)}`;
    if (e.ended) return `talk ${Math.round((e.ended.talkMs ?? 0) / 1000)} s, hung up by ${label(e.ended.hangupBy)}`;
    if (e.satisfactionRated) return label(e.satisfactionRated.score);
    if (e.ivr) return JSON.stringify(e.ivr);
    return "";
  }

  // Call timeline; the recording is named by a RecordingAvailable event or the CallEnded summary.
  let recording = null;
  const timeline = el("ol", { class: "timeline", id: "timeline" }, ...callTimeline.map(t => {
    const e = t.event || {};
    recording = e.recordingAvailable?.location || e.ended?.recording || recording;
    return el("li", {}, el("time", {}, when(t.occurredAt)), " ", el("strong", {}, kindLabel(t.kind)), " ", el("span", { class: "muted" }, describe(e)));
  }));
  // Issue 17: TicketApi serves the recording (from the engine, range requests: the player seeks). The <audio> element cannot
  // send the key, so the page asks for a short-lived listen ticket (the listen is audited then) and plays its URL.
  const recordingPlayer = el("span", { id: "player-slot" });
  async function play(button) {
    const r = await hl.json(`/api/workorders/${o.id}/recording/ticket`, { method: "POST" });
    if (!r.ok) { recordingPlayer.replaceChildren(el("span", { class: "error", id: "recording-error" }, r.body?.detail || `error ${r.status}`)); return; }
    button.hidden = true;
    recordingPlayer.replaceChildren(el("audio", { controls: true, id: "player", preload: "metadata", src: r.body.url }));
    recordingPlayer.firstChild.play().catch(() => {});
    auditTable.querySelector("tbody").append(el("tr", { "data-action": "listen" },
      el("td", {}, when(new Date().toISOString())), el("td", {}, `${me.name} (${me.role})`), el("td", {}, "listen"), el("td", {}, o.status), el("td", {}, "recording")));
  }
  const playButton = el("button", { type: "button", id: "recording", "data-location": recording, onclick: e => play(e.currentTarget) }, "Play the recording");
  // A call's recording may be known to the engine before its event reaches the timeline: offer it for any call.
  const recordingLink = me.role === "department" ? null : o.callId
    ? el("span", {}, playButton, " ", recordingPlayer)
    : el("span", { class: "muted", id: "recording" }, o.callId ? "No recording for this call." : "Not from a call.");
  // A department sees no call timeline; it may still hear its own order's recording, unless the reporter is confidential.
  const departmentPlayer = me.role !== "department" ? null : o.callId && !o.reporterHidden
    ? el("span", {}, el("button", { type: "button", id: "recording", onclick: e => play(e.currentTarget) }, "Play the recording"), " ", recordingPlayer)
    : el("span", { class: "muted" }, "No recording you may hear.");

  const auditTable = el("table", { class: "audit", id: "audit" },
    el("thead", {}, el("tr", {}, el("th", {}, "When"), el("th", {}, "Who"), el("th", {}, "Action"), el("th", {}, "Status"), el("th", {}, "Detail"))),
    el("tbody", {}, ...audit.map(a => el("tr", { "data-action": a.action },
      el("td", {}, when(a.at)), el("td", {}, `${a.actorId} (${a.actorRole})`), el("td", {}, a.action),
      el("td", {}, `${a.statusBefore ?? "—"} → ${a.statusAfter}`), el("td", { class: "detail" }, a.detail)))));

  const steps = STEPS.filter(s => s.may && s.when.includes(o.status) && (!s.pending || o.pendingExtensionDays));
  const forms = steps.map(step => {
    const form = el("form", { class: "step", "data-step": step.path },
      el("h3", {}, step.title),
      ...step.fields.map(f => {
        const input = f.type === "select"
          ? el("select", { name: f.name, id: `${step.path}-${f.name}` }, ...f.options.map(([v, t]) => el("option", { value: v }, t)))
          : f.area ? el("textarea", { name: f.name, id: `${step.path}-${f.name}`, rows: 2 })
          : el("input", { name: f.name, id: `${step.path}-${f.name}`, type: f.type });
        return el("div", { class: "field" }, el("label", { for: `${step.path}-${f.name}` }, f.label), input,
          el("span", { class: "error", "data-for": f.name }));
      }),
      el("span", { class: "error form-error", "data-for": "" }),
      el("button", { type: "submit" }, step.title));
    form.addEventListener("submit", async e => {
      e.preventDefault();
      form.querySelectorAll(".error").forEach(s => s.textContent = "");
      const body = {};
      for (const f of step.fields) {
        const v = form.elements[f.name].value;
        if (v === "") continue;
        body[f.name] = f.type === "number" ? Number(v) : f.name === "approve" ? v === "true" : v;
      }
      const res = await hl.json(`/api/workorders/${o.id}/${step.path}`, { method: "POST", json: body });
      if (res.ok) { location.reload(); return; }
      const errors = res.body?.errors || {};
      let shown = false;
      for (const [field, messages] of Object.entries(errors)) {
        const span = form.querySelector(`.error[data-for="${field}"]`);
        if (span) { span.textContent = messages.join(" "); shown = true; }
      }
      if (!shown) form.querySelector(".form-error").textContent =
        res.body?.detail || Object.values(errors).flat().join(" ") || `Error ${res.status}`;
    });
    return form;
  });

  main.replaceChildren(
    el("p", {}, el("a", { href: "/orders" }, "‹ Work orders")),
    el("h1", {}, `${o.number} `, o.isEmergency ? el("span", { class: "flag" }, "emergency") : null, o.supervised ? el("span", { class: "flag" }, "supervised") : null),
    el("p", { class: "content" }, o.content || el("span", { class: "muted" }, "No content registered yet.")),
    el("div", { class: "columns" },
      el("section", {}, details),
      el("section", {}, el("h2", {}, "Actions"), forms.length ? forms : el("p", { class: "muted" }, "No step you may take in this state."))),
    el("h2", {}, "Call timeline"), ...(me.role === "department" ? [el("p", { class: "muted" }, "Not shown to departments."), el("p", {}, departmentPlayer)] : [el("p", {}, recordingLink), timeline]),
    el("h2", {}, "Audit trail"), auditTable);
  performance.mark("hotline-ready");
})();
