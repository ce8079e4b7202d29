// Work-order desk: "New order", registered by hand (web, SMS, fax, phone) through POST /api/workorders.
// Errors come back from the API per field (ValidationProblem) and are shown next to that field.
"use strict";
hl.newOrderForm = (catalogue, natureOptions) => {
  const { el } = hl;
  const form = document.getElementById("new-order");
  const open = document.getElementById("new-order-open");
  form.elements.nature.append(...natureOptions());
  form.elements.category.append(...catalogue.categories.map(c => el("option", { value: c }, c)));
  // The reporter is confidential when the nature says so (Catalogue:Natures:*:ConfidentialReporter).
  const confidential = () => {
    const n = catalogue.natures.find(x => x.code === form.elements.nature.value);
    form.elements.confidential.checked = !!n?.confidentialReporter;
  };
  form.elements.nature.addEventListener("change", confidential);
  // An edited field's old error no longer applies.
  form.addEventListener("input", e => {
    const span = e.target.name && form.querySelector(`.error[data-for="${e.target.name}"]`);
    if (span) span.textContent = "";
  });
  open.hidden = false;
  open.onclick = () => { form.hidden = false; open.hidden = true; form.elements.channel.focus(); };
  document.getElementById("new-order-cancel").onclick = () => { form.hidden = true; open.hidden = false; };
  const show = (field, text) => {
    const span = form.querySelector(`.error[data-for="${field}"]`) || form.querySelector(".form-error");
    span.textContent = (span.textContent ? span.textContent + " " : "") + text;
  };
  form.addEventListener("submit", async e => {
    e.preventDefault();
    form.querySelectorAll(".error").forEach(s => s.textContent = "");
    const v = name => form.elements[name].value.trim() || null;
    // The API is the one judge of a valid order (WorkOrdersApi.RegisterAsync): the form has no rules of its own.
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const res = await hl.json("/api/workorders", { method: "POST", json: {
        channel: v("channel"), nature: v("nature"), category: v("category"), content: v("content"),
        callerName: v("callerName"), callerNumber: v("callerNumber"), address: v("address") } });
      if (res.ok) { location.href = "/orders/" + res.body.id; return; }
      const errors = res.body?.errors || {};
      for (const [field, messages] of Object.entries(errors)) show(field, messages.join(" "));
      if (Object.keys(errors).length === 0) show("", res.body?.detail || `Error ${res.status}`);
    } finally {
      submit.disabled = false;
    }
  });
};
