// Quality review (issue 17): each agent's monthly sample of recorded calls, playback, and the score form.
"use strict";
(async () => {
  const { el, json, when, duration } = hl;
  const $ = id => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const me = await hl.signedIn("/quality");
  if (me.role !== "supervisor" && me.role !== "admin") {
    $("month-error").textContent = "The quality review is for supervisors.";
    return;
  }
  const monthR = await json("/console/api/month" + (params.get("month") ? "?month=" + encodeURIComponent(params.get("month")) : ""));
  if (!monthR.ok) { $("month-error").textContent = monthR.body?.errors?.month?.join(" ") || "Bad month."; return; }
  const month = monthR.body.month;
  $("month").value = month;
  $("month-label").textContent = `· ${month} (${monthR.body.timeZone})`;
  $("pick").addEventListener("submit", e => { e.preventDefault(); location.search = "month=" + $("month").value; });
  let sample = null, scoring = null;

  async function loadAgents() {
    const r = await json(`/api/quality/agents?month=${month}`);
    if (!r.ok) { $("month-error").textContent = r.body?.detail || `error ${r.status}`; return; }
    $("agents").querySelector("tbody").replaceChildren(...(r.body.length === 0
      ? [el("tr", {}, el("td", { colspan: "6", class: "muted" }, "No call answered by an agent this month."))]
      : r.body.map(a => el("tr", { "data-agent": a.agentId },
          el("td", {}, a.agentId), el("td", { class: "num" }, String(a.answeredCalls)), el("td", { class: "num scored" }, String(a.scored)),
          el("td", { class: "num mean" }, a.meanScore === null ? "—" : a.meanScore.toFixed(1)),
          el("td", { class: "num" }, a.assessmentPoints === null ? "—" : String(a.assessmentPoints)),
          el("td", {}, el("button", { type: "button", class: "secondary", onclick: () => loadSample(a.agentId) }, "Sample"))))));
  }

  async function loadSample(agentId, redraw) {
    const r = redraw
      ? await json("/api/quality/sample/redraw", { method: "POST", json: { month, agentId } })
      : await json(`/api/quality/sample?month=${month}&agentId=${encodeURIComponent(agentId)}`);
    if (!r.ok) { $("month-error").textContent = r.body?.detail || `error ${r.status}`; return; }
    sample = r.body;
    $("sample").hidden = false;
    $("sample").dataset.agent = sample.agentId;
    $("sample-agent").textContent = sample.agentId;
    $("sample-draw").textContent = `(draw ${sample.draw})`;
    $("sample-note").textContent = `${sample.calls.length} of ${sample.recordedCalls} recorded calls, drawn at random but the same every time for this month and draw (${sample.size} per agent per month).`;
    $("sample-calls").querySelector("tbody").replaceChildren(...sample.calls.map(c => {
      const slot = el("span", { class: "player" });
      return el("tr", { "data-call-id": c.callId, class: c.score ? "scored" : null },
        el("td", { class: "muted" }, c.callId), el("td", {}, when(c.offeredAt)), el("td", {}, c.queue || "—"),
        el("td", { class: "num" }, duration(c.talkMs / 1000)), el("td", { class: "num" }, duration(c.holdMs / 1000)),
        el("td", {}, c.orderId ? el("a", { href: `/orders/${c.orderId}`, target: "_blank" }, c.orderNumber) : "—"),
        el("td", {}, c.orderId ? el("button", { type: "button", class: "secondary", onclick: () => play(c, slot) }, "Play") : el("span", { class: "muted" }, "no order"), " ", slot),
        el("td", { class: "num total" }, c.score ? String(c.score.total) : "—"),
        el("td", {}, el("button", { type: "button", class: "score-button", onclick: () => openScore(c) }, c.score ? "Re-score" : "Score")));
    }));
    if (scoring && !sample.calls.some(c => c.callId === scoring.callId)) $("score").hidden = true;
  }

  // The recording is served by TicketApi (range requests; the listen goes into the order's audit trail).
  async function play(c, slot) {
    const r = await json(`/api/workorders/${c.orderId}/recording/ticket`, { method: "POST" });
    if (!r.ok) { slot.replaceChildren(el("span", { class: "error" }, r.body?.detail || `error ${r.status}`)); return; }
    slot.replaceChildren(el("audio", { controls: true, preload: "metadata", src: r.body.url }));
    slot.firstChild.play().catch(() => {});
  }

  async function openScore(c) {
    scoring = c;
    const form = $("score");
    form.hidden = false;
    form.dataset.callId = c.callId;
    form.querySelectorAll(".error").forEach(e => e.textContent = "");
    $("score-saved").textContent = "";
    $("score-call").textContent = c.callId;
    const s = c.score;
    $("q-greeting").value = s ? s.greeting : "";
    $("q-attitude").value = s ? s.attitude : "";
    $("q-accuracy").value = s ? s.accuracy : "";
    $("q-hold").value = s ? s.holdUsage : "";
    $("q-comment").value = s?.comment || "";
    const h = await json(`/api/quality/calls/${encodeURIComponent(c.callId)}/scores`);
    $("score-history").replaceChildren(...(h.body || []).map(x => el("li", { class: x.current ? null : "muted" },
      `${when(x.scoredAt)} ${x.scoredBy} (${x.scoredByRole}): ${x.total}/100${x.current ? "" : " (replaced)"}${x.comment ? " — " + x.comment : ""}`)));
    $("q-greeting").focus();
  }

  $("score").addEventListener("submit", async e => {
    e.preventDefault();
    const form = $("score");
    form.querySelectorAll(".error").forEach(x => x.textContent = "");
    const n = id => $(id).value.trim() === "" ? null : Number($(id).value);
    const r = await json("/api/quality/scores", { method: "POST", json: {
      callId: scoring.callId, greeting: n("q-greeting"), attitude: n("q-attitude"), accuracy: n("q-accuracy"), holdUsage: n("q-hold"),
      comment: $("q-comment").value.trim() || null } });
    if (!r.ok) {
      for (const [field, messages] of Object.entries(r.body?.errors || {}))
        (form.querySelector(`.error[data-for="${field}"]`) || form.querySelector(".form-error")).textContent = messages.join(" ");
      if (!r.body?.errors) form.querySelector(".form-error").textContent = r.body?.detail || `error ${r.status}`;
      return;
    }
    $("score-saved").textContent = `Saved: ${r.body.total}/100`;
    await Promise.all([loadAgents(), loadSample(sample.agentId)]);
    const again = sample.calls.find(c => c.callId === r.body.callId);
    if (again) await openScore(again);
    $("score-saved").textContent = `Saved: ${r.body.total}/100`;
  });
  $("redraw").addEventListener("click", () => {
    if (confirm(`Draw a new sample for ${sample.agentId} in ${month}? Scores already given stay.`)) loadSample(sample.agentId, true);
  });

  $("rule").textContent = "A random sample of recorded calls per agent per month (DOMAIN.md: 30), the same every time until re-drawn.";
  await loadAgents();
  if (params.get("agent")) await loadSample(params.get("agent"));
  performance.mark("hotline-ready");
})();
