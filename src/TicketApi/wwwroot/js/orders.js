// Work-order desk: the list, filtered and paged through GET /api/workorders (filters kept in the URL).
"use strict";
(async () => {
  const { el, when } = hl;
  const params = new URLSearchParams(location.search);
  const page = Math.max(1, parseInt(params.get("page") || "1", 10));
  const pageSize = 50;
  const q = new URLSearchParams({ page, pageSize });
  for (const k of ["status", "department", "nature", "overdue"]) if (params.get(k)) q.set(k, params.get(k));
  // Dates are the user's local calendar days.
  if (params.get("from")) q.set("from", new Date(params.get("from") + "T00:00").toISOString());
  if (params.get("to")) { const t = new Date(params.get("to") + "T00:00"); t.setDate(t.getDate() + 1); q.set("to", t.toISOString()); }
  // The list request goes out together with the who-am-I request, not after it.
  const listing = hl.json("/api/workorders?" + q);
  const catalogue = hl.json("/console/api/catalogue");
  const me = await hl.signedIn("/orders");
  const form = document.getElementById("filters");
  const cat = (await catalogue).body || { natures: [], categories: [] };
  const natureOptions = () => cat.natures.map(n => el("option", { value: n.code, title: n.name }, n.code));
  form.elements.nature.append(...natureOptions());
  for (const [k, v] of params) if (form.elements[k]) {
    if (form.elements[k].type === "checkbox") form.elements[k].checked = v === "true"; else form.elements[k].value = v;
  }
  if (me.role === "department") { form.elements.department.value = me.departmentId; form.elements.department.disabled = true; }
  form.addEventListener("submit", e => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const f of form.elements) {
      if (!f.name || f.disabled) continue;
      if (f.type === "checkbox") { if (f.checked) q.set(f.name, "true"); }
      else if (f.value) q.set(f.name, f.value);
    }
    location.search = q.toString();
  });

  const r = await listing;
  if (!r.ok) {
    const errors = r.body?.errors ? Object.entries(r.body.errors).map(([k, v]) => `${k}: ${v.join(" ")}`).join("; ") : r.body?.detail;
    document.getElementById("filter-error").textContent = errors || `Error ${r.status}`;
    return;
  }
  const { total, totalCapped, items } = r.body;
  const rows = document.getElementById("rows");
  rows.replaceChildren(...items.map(o => el("tr", { "data-id": o.id, class: o.overdue ? "overdue" : null },
    el("td", {}, el("a", { href: "/orders/" + o.id }, o.number)),
    el("td", {}, when(o.createdAt)),
    el("td", {}, el("span", { class: "badge " + o.status.toLowerCase() }, o.status)),
    el("td", {}, o.nature || "—"), el("td", {}, o.kind), el("td", {}, o.departmentId || "—"),
    el("td", {}, o.deadlineAt ? when(o.deadlineAt) : "—", o.overdue ? el("span", { class: "flag" }, " overdue") : null,
      o.overdueFlaggedAt ? el("span", { class: "flag", "data-flagged": o.overdueFlaggedAt, title: "flagged by the overdue sweep (督办) at " + when(o.overdueFlaggedAt) }, " ⚑ supervised") : null),
    el("td", { class: "content" }, (o.content || "").slice(0, 80)))));
  if (items.length === 0) rows.replaceChildren(el("tr", {}, el("td", { colspan: 8, class: "muted" }, "No orders match.")));
  // The API stops counting at a cap (totalCapped): then the page count is open-ended and "next" follows a full page.
  const pages = totalCapped ? null : Math.max(1, Math.ceil(total / pageSize));
  performance.mark("hotline-ready");
  document.getElementById("page-info").textContent = totalCapped
    ? `page ${page} · more than ${total.toLocaleString("en")} orders`
    : `page ${page} of ${pages} · ${total} orders`;
  const go = p => { params.set("page", p); location.search = params.toString(); };
  const prev = document.getElementById("prev"), next = document.getElementById("next");
  prev.disabled = page <= 1; next.disabled = pages === null ? items.length < pageSize : page >= pages;
  prev.onclick = () => go(page - 1); next.onclick = () => go(page + 1);
  if (me.role !== "department") hl.newOrderForm(cat, natureOptions);
})();
