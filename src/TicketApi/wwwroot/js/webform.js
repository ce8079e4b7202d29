// Public web form (no key): ask for a challenge, prove a little work (SHA-256 with leading zero bits), send the matter.
"use strict";
(() => {
  const form = document.getElementById("report"), error = document.getElementById("error"), working = document.getElementById("working");
  const enc = new TextEncoder();
  function zeroBits(hash, bits) {
    for (let i = 0; bits > 0; i++, bits -= 8) {
      const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((hash[i] & mask) !== 0) return false;
    }
    return true;
  }
  async function solve(challenge, bits) {
    for (let n = 0; ; n++) {
      const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(`${challenge}:${n}`)));
      if (zeroBits(hash, bits)) return String(n);
    }
  }
  // The kinds on offer are the hotline's configured natures (Catalogue:Natures): the page's built-in options keep their
  // English labels; a nature the city added shows its own name. If the list cannot be read, the built-in options stay.
  (async () => {
    const r = await fetch("/api/public/natures").catch(() => null);
    if (!r || !r.ok) return;
    const natures = await r.json(), select = document.getElementById("nature"), chosen = select.value;
    const labels = new Map([...select.options].map(o => [o.value, o.textContent]));
    select.replaceChildren(...natures.map(n => {
      const o = document.createElement("option");
      o.value = n.code;
      o.textContent = labels.get(n.code) ?? (n.name ? `${n.name} (${n.code})` : n.code) + (n.confidentialReporter ? ", confidential" : "");
      return o;
    }));
    if (natures.some(n => n.code === chosen)) select.value = chosen;   // a citizen quicker than the request keeps the choice
    select.dataset.loaded = "true";
  })();
  form.addEventListener("submit", async e => {
    e.preventDefault();
    error.textContent = "";
    document.getElementById("send").disabled = true;
    try {
      working.textContent = "Preparing… (a second or two)";
      const c = await (await fetch("/api/public/challenge")).json();
      const nonce = await solve(c.challenge, c.bits);
      working.textContent = "Sending…";
      const body = Object.fromEntries(new FormData(form));
      const r = await fetch("/api/public/orders", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...body, challenge: c.challenge, nonce }) });
      if (r.status === 201) {
        const done = await r.json();
        document.getElementById("number").textContent = done.number;
        document.getElementById("confirmation").hidden = false;
        form.hidden = true;
      } else if (r.status === 429) {
        error.textContent = "Too many messages from your connection; please call the hotline or try again in an hour.";
      } else {
        const p = await r.json().catch(() => null);
        error.textContent = p?.errors ? Object.values(p.errors).flat().join(" ") : `Not sent (${r.status}).`;
      }
    } catch (x) {
      error.textContent = "Not sent: " + x.message;
    } finally {
      working.textContent = "";
      document.getElementById("send").disabled = false;
    }
  });
})();
