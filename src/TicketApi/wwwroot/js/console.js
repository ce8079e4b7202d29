// Hotline web console: shared client. The API key lives in sessionStorage and goes out as X-Api-Key.
"use strict";
const hl = (() => {
  const KEY = "hotline-key";
  const key = () => sessionStorage.getItem(KEY);

  async function api(path, options = {}) {
    const headers = Object.assign({ "X-Api-Key": key() || "" }, options.headers || {});
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.json);
    }
    const response = await fetch(path, Object.assign({}, options, { headers }));
    if (response.status === 401) {
      sessionStorage.removeItem(KEY);
      location.href = "/?next=" + encodeURIComponent(location.pathname + location.search);
      throw new Error("signed out");
    }
    return response;
  }

  async function json(path, options) {
    const r = await api(path, options);
    const body = r.headers.get("content-type")?.includes("json") ? await r.json() : null;
    return { ok: r.ok, status: r.status, body };
  }

  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  };

  const pct = v => (v === null || v === undefined) ? "—" : (v * 100).toFixed(1) + " %";
  // Times are shown in the hotline's time zone (Calendar:TimeZone), whatever the browser's.
  let zone;
  // One format everywhere, the one the date filters use (yyyy-mm-dd): "2026-12-01 09:30:05" (sv-SE writes ISO order).
  const when = iso => iso ? new Date(iso).toLocaleString("sv-SE", { timeZone: zone }) : "—";
  const clock = iso => iso ? new Date(iso).toLocaleTimeString("sv-SE", { timeZone: zone }) : "";
  const duration = seconds => {
    seconds = Math.max(0, Math.floor(seconds));
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}` : `${m}:${String(s).padStart(2, "0")}`;
  };

  // Who is signed in; pages call this first. Unknown key → sign-in page.
  async function signedIn(active) {
    if (!key()) { location.href = "/?next=" + encodeURIComponent(location.pathname + location.search); throw new Error("no key"); }
    const me = (await json("/console/api/me")).body;
    zone = me.timeZone;
    const hotline = me.role !== "department";
    const links = [["/desk", "Desk", !!me.agentId], ["/wallboard", "Wallboard", hotline], ["/orders", "Work orders", true],
      ["/reports", "Indicators", hotline], ["/quality", "Quality", me.role === "supervisor" || me.role === "admin"]];
    const nav = document.getElementById("nav");
    nav.replaceChildren(
      el("span", { class: "brand" }, "Hotline 12345"),
      ...links.filter(l => l[2]).map(([href, text]) => el("a", { href, class: href === active ? "active" : null }, text)),
      el("span", { class: "who", id: "who" }, `${me.name} · ${me.role}${me.departmentId ? " · " + me.departmentId : ""}`),
      el("button", { class: "link", onclick: () => { sessionStorage.removeItem(KEY); location.href = "/"; } }, "Sign out"));
    return me;
  }

  // Where to go after signing in: a path on this site only. The browser's own URL parser decides (so "//host",
  // "/\\host", "/<TAB>/host", "https:", "javascript:" and their encoded forms resolve off-site and are refused);
  // anything that is not a plain same-origin path falls back to the landing page.
  function safeNext(next, fallback) {
    if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(next)) return fallback;
    let url;
    try { url = new URL(next, location.origin); } catch { return fallback; }
    if (url.origin !== location.origin) return fallback;
    return url.pathname + url.search + url.hash;
  }

  return { KEY, key, api, json, el, pct, when, clock, duration, signedIn, safeNext, zone: () => zone };
})();
