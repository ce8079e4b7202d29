// Indicators: the month's figures from GET /api/metrics against DOMAIN.md's targets, two SVG charts, exclusions, CSV.
"use strict";
(async () => {
  const { el, pct } = hl;
  const params = new URLSearchParams(location.search);
  const monthLoading = hl.json("/console/api/month" + (params.get("month") ? "?month=" + encodeURIComponent(params.get("month")) : ""));
  // The month's figures are the slow part (queries over the month's calls): ask as soon as the month's bounds are known.
  // One request: the hour groups (the day chart sums those, counts only, by their local date) and their total, which
  // the API computes as the sum of the groups, the same figures as the ungrouped report.
  const metricsLoading = monthLoading.then(m => !m.ok ? null :
    hl.json(`/api/metrics?from=${encodeURIComponent(m.body.from)}&to=${encodeURIComponent(m.body.to)}&groupBy=hour`));
  await hl.signedIn("/reports");
  const monthR = await monthLoading;
  if (!monthR.ok) { document.getElementById("month-error").textContent = monthR.body?.errors?.month?.join(" ") || "Bad month."; return; }
  const { month, from, to, timeZone } = monthR.body;
  document.getElementById("month").value = month;
  document.getElementById("month-label").textContent = `· ${month} (${timeZone})`;
  document.getElementById("pick").addEventListener("submit", e => { e.preventDefault(); location.search = "month=" + document.getElementById("month").value; });
  document.getElementById("csv").addEventListener("click", async () => {
    // The CSV needs the key header, so fetch it and hand the browser a file.
    const r = await hl.api(`/api/metrics/report.csv?month=${month}&groupBy=agent`);
    const a = el("a", { href: URL.createObjectURL(await r.blob()), download: `hotline-${month}.csv` });
    document.body.append(a); a.click(); a.remove();
  });

  // DOMAIN.md step 4: returns are counted per department (a second, small request: department groups).
  const byDepartmentLoading = hl.json(`/api/metrics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=department`);
  const byHour = await metricsLoading, total = byHour;
  const t = total.body.total;

  // DOMAIN.md "performance standard"; min = at least, max = at most.
  const INDICATORS = [
    ["connectionRate", "Manual connection rate", "answered ÷ offered to agents", 0.95, "min", `${t.answered} / ${t.offered}`],
    ["timelyAnswerRate", "Timely answer rate", "answered within 15 s ÷ answered", 0.80, "min", `${t.answeredWithinServiceLevel} / ${t.answered}`],
    ["satisfaction", "Service satisfaction", "satisfied ÷ rated calls", 0.98, "min", `${t.satisfied} / ${t.rated}`],
    ["timelyDispatchRate", "Timely dispatch rate", "dispatched within cut-off ÷ orders to dispatch", 0.90, "min", `${t.dispatchedOnTime} / ${t.ordersToDispatch}`],
    ["onTimeReplyRate", "On-time reply rate", "replies within deadline ÷ replies due", 0.95, "min", `${t.repliedOnTime} / ${t.repliesDue}`],
    ["callbackSatisfactionRate", "Reasonable-demand satisfaction", "satisfied ÷ called back", 0.90, "min", `${t.callbackSatisfied} / ${t.calledBack}`],
    ["reworkRate", "Rework rate", "sent back for rework ÷ orders handled", 0.05, "max", `${t.reworked} / ${t.ordersHandled}`],
    ["timelyCallbackRate", "Timely callback rate", "callbacks within 3 days ÷ callbacks due", 0.95, "min", `${t.calledBackOnTime} / ${t.callbacksDue}`],
    ["smsReplyRate", "SMS reply rate", "SMS answered the same day ÷ SMS received", 1.0, "min", `${t.smsAnsweredSameDay} / ${t.smsReceived}`],
    ["complaintRate", "Complaint rate", "valid complaints about the hotline ÷ valid calls", 0.02, "max", `${t.hotlineComplaints} / ${t.validCalls}`],
    ["replyRate", "Reply rate", "orders with an answer to the caller ÷ orders", 1.0, "min", `${t.ordersAnswered} / ${t.orders}`],
  ];
  const rows = INDICATORS.map(([key, name, def, target, kind, counts]) => {
    const v = t[key];
    const below = v !== null && (kind === "min" ? v < target : v > target);
    return el("tr", { "data-indicator": key, class: below ? "below" : null },
      el("td", {}, name), el("td", { class: "muted" }, `${def} (${counts})`),
      el("td", { class: "num value", "data-value": v ?? "" }, pct(v)),
      el("td", { class: "num" }, (kind === "min" ? "≥ " : "≤ ") + pct(target)),
      el("td", {}, v === null ? el("span", { class: "muted" }, "no data") : below ? el("span", { class: "flag" }, kind === "min" ? "below target" : "above limit") : el("span", { class: "ok" }, "on target")));
  });
  rows.push(el("tr", { "data-indicator": "averageSpeedOfAnswerSeconds" }, el("td", {}, "Average speed of answer"), el("td", { class: "muted" }, "queue entry to answer"),
    el("td", { class: "num value", "data-value": t.averageSpeedOfAnswerSeconds ?? "" }, t.averageSpeedOfAnswerSeconds === null ? "—" : t.averageSpeedOfAnswerSeconds.toFixed(1) + " s"), el("td", {}), el("td", {})));
  document.querySelector("#indicators tbody").replaceChildren(...rows);

  const ex = total.body.exclusions;
  document.getElementById("exclusions").replaceChildren(ex.length === 0
    ? el("p", { class: "muted" }, "No exclusion window declared: every hour of the month counts.")
    : el("div", { class: "excluded" }, el("strong", {}, `${ex.length} exclusion window(s) left out of every figure:`),
        el("ul", {}, ...ex.map(w => el("li", {}, `${hl.when(w.from)} – ${hl.when(w.to)}: ${w.reason}`)))));

  // By day: every day of the month, empty ones included.
  const days = new Map();
  for (const g of byHour.body.groups) {
    const d = days.get(g.key.slice(0, 10)) || { offered: 0, answered: 0, answeredWithinServiceLevel: 0 };
    d.offered += g.offered; d.answered += g.answered; d.answeredWithinServiceLevel += g.answeredWithinServiceLevel;
    days.set(g.key.slice(0, 10), d);
  }
  const [y, m] = month.split("-").map(Number);
  const dayCount = new Date(y, m, 0).getDate();
  const dayRows = Array.from({ length: dayCount }, (_, i) => {
    const key = `${month}-${String(i + 1).padStart(2, "0")}`;
    const g = days.get(key) || { offered: 0, answered: 0, answeredWithinServiceLevel: 0 };
    return { label: String(i + 1), offered: g.offered, answered: g.answered, within: g.answeredWithinServiceLevel };
  });
  // By hour of day: hour groups summed over the month (counts summed, the rate recomputed).
  const hours = Array.from({ length: 24 }, (_, h) => ({ label: String(h), offered: 0, answered: 0, within: 0 }));
  for (const g of byHour.body.groups) {
    const h = hours[Number(g.key.slice(11, 13))];
    h.offered += g.offered; h.answered += g.answered; h.within += g.answeredWithinServiceLevel;
  }
  const byDepartment = await byDepartmentLoading;
  const departments = (byDepartment.body?.groups || []).filter(g => g.key !== "" && (g.returns > 0 || g.repliesDue > 0));
  document.querySelector("#returns tbody").replaceChildren(...(departments.length === 0
    ? [el("tr", {}, el("td", { class: "muted", colspan: "3" }, "No order dispatched this month."))]
    : departments.map(g => el("tr", { "data-department": g.key }, el("td", {}, g.key),
        el("td", { class: "num", "data-returns": g.returns }, String(g.returns)), el("td", { class: "num" }, pct(g.onTimeReplyRate))))));
  document.getElementById("by-day").replaceChildren(chart(dayRows));
  document.getElementById("by-hour").replaceChildren(chart(hours));
  performance.mark("hotline-ready");

  // Issue 17: the agents' quality scores (and their calls), grouped by agent. Asked for after the indicators are shown:
  // a month grouped by agent is the slowest metrics query, and the indicators come first.
  const byAgentLoading = hl.json(`/api/metrics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=agent`);
  const byAgent = await byAgentLoading;
  const agents = (byAgent.body?.groups || []).filter(g => g.key !== "" && (g.qualityScored > 0 || g.answered > 0));
  const qt = byAgent.body?.total;
  document.querySelector("#quality tbody").replaceChildren(...(agents.length === 0
    ? [el("tr", {}, el("td", { class: "muted", colspan: "5" }, "No agent answered or was scored this month."))]
    : agents.map(g => el("tr", { "data-agent": g.key }, el("td", {}, g.key),
        el("td", { class: "num scored" }, String(g.qualityScored)),
        el("td", { class: "num value quality", "data-value": g.qualityScore ?? "" }, g.qualityScore === null ? "—" : g.qualityScore.toFixed(1)),
        el("td", { class: "num" }, pct(g.satisfaction)), el("td", { class: "num" }, String(g.answered))))
      .concat(qt ? [el("tr", { "data-agent": "total" }, el("td", {}, el("strong", {}, "All agents")), el("td", { class: "num scored" }, String(qt.qualityScored)),
        el("td", { class: "num value quality", "data-value": qt.qualityScore ?? "" }, qt.qualityScore === null ? "—" : qt.qualityScore.toFixed(1)),
        el("td", { class: "num" }, pct(qt.satisfaction)), el("td", { class: "num" }, String(qt.answered)))] : [])));

  function chart(data) {
    const W = 960, H = 260, left = 48, right = 48, top = 12, bottom = 28;
    const ns = "http://www.w3.org/2000/svg";
    const s = (tag, attrs, text) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; return e; };
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "bars", role: "img" });
    const max = Math.max(1, ...data.map(d => d.offered));
    const slot = (W - left - right) / data.length, bw = Math.max(2, slot / 2 - 1);
    const yv = v => top + (H - top - bottom) * (1 - v / max), ys = r => top + (H - top - bottom) * (1 - r);
    svg.append(s("text", { x: 4, y: top + 8, class: "axis" }, String(max)), s("text", { x: 4, y: H - bottom, class: "axis" }, "0"),
      s("text", { x: W - right + 4, y: top + 8, class: "axis" }, "100 %"), s("text", { x: W - right + 4, y: ys(0.8) + 4, class: "axis target" }, "80 %"),
      s("line", { x1: left, x2: W - right, y1: ys(0.8), y2: ys(0.8), class: "target" }));
    let path = "";
    data.forEach((d, i) => {
      const x = left + i * slot;
      svg.append(s("rect", { x, y: yv(d.offered), width: bw, height: H - bottom - yv(d.offered), class: "offered" }, undefined),
        s("rect", { x: x + bw, y: yv(d.answered), width: bw, height: H - bottom - yv(d.answered), class: "answered" }),
        s("text", { x: x + bw, y: H - 10, class: "axis", "text-anchor": "middle" }, d.label));
      if (d.answered > 0) {
        const sl = d.within / d.answered;
        path += `${path ? "L" : "M"}${x + bw},${ys(sl)}`;
        svg.append(s("circle", { cx: x + bw, cy: ys(sl), r: 4, class: "sl-point" + (sl < 0.8 ? " below" : "") }, undefined),
          s("title", {}, `${d.label}: ${(sl * 100).toFixed(1)} % within 15 s`));
      }
    });
    svg.append(s("path", { d: path, class: "sl" }));
    const legend = el("div", { class: "legend" }, el("span", { class: "key offered" }), "offered ", el("span", { class: "key answered" }), "answered ",
      el("span", { class: "key sl" }), "service level (answered within 15 s) ", el("span", { class: "key target" }), "target 80 %");
    return el("figure", {}, svg, legend);
  }
})();
