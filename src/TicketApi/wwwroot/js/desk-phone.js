// The desk's phone (issue 18): JsSIP registers with the engine over SIP over WebSocket (RFC 7118, wss) with the agent's
// SIP account, rings on the engine's INVITE (the screen pop comes from the desk feed as before), answers with the
// microphone (getUserMedia) and plays the caller through <audio id="phone-audio">. Media is WebRTC (ICE, DTLS-SRTP) to
// the engine's media port (docs/webrtc.md). The dial pad places the agent's own outbound calls (JsSIP ua.call: the engine
// routes the INVITE by its dial plan, as a softphone's) and, during a call, sends its keys as RFC 4733 telephone-events
// (the engine reads *8 + code + # as a consult, docs/conference.md). The SIP password is typed here and kept in this
// closure only: it goes to the engine in the digest (RFC 8760) and never to TicketApi, sessionStorage or the console log.
"use strict";
(() => {
  const { json } = hl;
  const $ = id => document.getElementById(id);
  // The (fake in tests) microphone as it is; the browser's echo cancellation stays on for real headsets.
  const MEDIA = { mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } };
  let config = null, ua = null, session = null, stopRing = null, muted = false, held = false;
  // Hold and resume are re-INVITEs. JsSIP fires "hold" at once but refuses another re-INVITE until the first is
  // answered (hold()/unhold() return false): a Resume pressed meanwhile was lost, and the call stayed on hold (run 56).
  // The wish is kept and applied when the re-INVITE in flight completes.
  let holdWanted = null, reoffering = false;

  function status(text, kind) {
    $("phone-status").textContent = text;
    $("phone-status").dataset.status = kind;
    render();
  }

  function error(text) { $("phone-error").textContent = text || ""; }

  function render() {
    const s = session, live = s && s.isEstablished();
    const ringing = s && s.direction === "incoming" && !s.isEstablished() && !s.isEnded();
    $("phone-connect").hidden = !!ua;
    $("phone-disconnect").disabled = !ua;
    $("phone-answer").disabled = !ringing;
    $("phone-hangup").disabled = !s;
    $("phone-hold").disabled = !live;
    $("phone-mute").disabled = !live;
    $("phone-hold").textContent = held ? "Resume" : "Hold";
    $("phone-mute").textContent = muted ? "Unmute" : "Mute";
    $("phone-call-button").disabled = !ua || !ua.isRegistered() || !!s;
    $("phone-number").disabled = !!s;
    document.querySelectorAll("#phone-keys button").forEach(b => b.disabled = !ua || !!s && !live);
  }

  // A plain 425 Hz ring cadence (1 s on, 1 s off), from WebAudio: nothing is loaded from outside.
  function ring() {
    try {
      const ctx = new AudioContext(), tone = ctx.createOscillator(), gain = ctx.createGain();
      tone.frequency.value = 425;
      gain.gain.value = 0.1;
      tone.connect(gain).connect(ctx.destination);
      tone.start();
      const cadence = setInterval(() => { gain.gain.value = gain.gain.value > 0 ? 0 : 0.1; }, 1000);
      return () => { clearInterval(cadence); ctx.close(); };
    } catch { return () => {}; }
  }

  function silence() { if (stopRing) { stopRing(); stopRing = null; } }

  // What a getUserMedia refusal means for the agent (MediaDevices.getUserMedia's DOMException names).
  function microphoneProblem(e) {
    switch (e && e.name) {
      case "NotAllowedError": return "Microphone refused: allow the microphone for this site (the icon in the address bar), then connect again.";
      case "NotFoundError": return "No microphone found: plug in a headset, then connect again.";
      case "NotReadableError": return "The microphone is in use by another program or cannot be opened.";
      default: return "The microphone cannot be used: " + (e && (e.message || e.name) || e);
    }
  }

  // Asked at Connect (a click, so the browser may prompt), not first at the ring: a refusal shows before a caller waits.
  async function checkMicrophone() {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    stream.getTracks().forEach(t => t.stop());
  }

  async function connect(e) {
    e.preventDefault();
    error("");
    const user = $("phone-user").value.trim(), password = $("phone-password").value;
    if (!user || !password) { error("Type your SIP user and SIP password."); return; }
    if (!window.JsSIP) { error("The phone library did not load."); return; }
    try {
      await checkMicrophone();
    } catch (ex) {
      status("no microphone", "failed");
      error(microphoneProblem(ex));
      return;
    }
    $("phone-password").value = "";
    status("connecting…", "connecting");
    const me = ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(config.webSocketUrl)], uri: `sip:${user}@${config.domain}`, password,
      register: true, register_expires: 300, session_timers: false,
    });
    // Events of a UA the agent already disconnected (ua.stop() reports asynchronously) change nothing.
    const on = (name, handler) => me.on(name, ev => { if (ua === me) handler(ev); });
    on("connected", () => { if (!ua.isRegistered()) status("registering…", "connecting"); });
    on("disconnected", ev => {
      status("phone server unreachable, retrying…", "failed");
      error(`Cannot reach the phone server ${config.webSocketUrl}` + (ev && ev.error ? " (network error or untrusted certificate)." : "."));
    });
    on("registered", () => { status("ready", "ready"); error(""); });
    on("unregistered", () => { status("not registered", "failed"); });
    on("registrationFailed", ev => {
      const cause = ev.cause === JsSIP.C.causes.AUTHENTICATION_ERROR || ev.cause === JsSIP.C.causes.REJECTED
        ? "the SIP user or password was refused" : ev.cause === JsSIP.C.causes.CONNECTION_ERROR
          ? `the phone server ${config.webSocketUrl} cannot be reached (network error or untrusted certificate)` : String(ev.cause);
      error("Registration failed: " + cause + ".");
      disconnect("registration failed", "failed");
    });
    on("newRTCSession", ev => incoming(ev));
    me.start();
    render();
  }

  function disconnect(text, kind) {
    const old = ua;
    ua = null;
    if (session && !session.isEnded()) session.terminate();
    if (old) old.stop();
    status(text || "not connected", kind || "off");
  }

  function incoming(ev) {
    const s = ev.session;
    if (ev.originator !== "remote") return; // Our own call (dial): wired in dial().
    // One call at a time: the ACD rings an agent only when free; anything else is busy (RFC 3261 486).
    if (session && !session.isEnded()) { s.terminate({ status_code: 486, reason_phrase: "Busy Here" }); return; }
    wire(s);
    const from = ev.request.from;
    $("phone-caller").textContent = "Call from " + (from.display_name || from.uri.user || "unknown");
    status("ringing", "ringing");
    stopRing = ring();
  }

  function wire(s) {
    session = s;
    muted = false;
    held = false;
    holdWanted = null;
    reoffering = false;
    s.on("peerconnection", p => watchNetwork(p.peerconnection));
    s.on("accepted", () => { silence(); hear(s.connection); status("talking", "talking"); });
    s.on("confirmed", () => { silence(); status("talking", "talking"); });
    // Our own hold is said once the engine has answered its re-INVITE (applyHold's done), not as JsSIP sends it.
    s.on("hold", e => { held = true; status(e.originator === "local" ? "putting on hold…" : "on hold", "talking"); });
    s.on("unhold", e => { held = false; status(e.originator === "local" ? "resuming…" : "talking", "talking"); });
    s.on("muted", () => { muted = true; render(); });
    s.on("unmuted", () => { muted = false; render(); });
    // A CANCEL while ringing is the caller hanging up or the ACD taking the call back (ring timeout): not an error.
    s.on("failed", f => ended(f.cause === JsSIP.C.causes.USER_DENIED_MEDIA_ACCESS
      ? "Microphone refused: allow the microphone for this site, then " + (s.direction === "outgoing" ? "call again." : "answer again.")
      : f.originator === "local" || f.cause === JsSIP.C.causes.CANCELED ? ""
        : s.direction === "outgoing" ? refusal(s.__number, f) : `Call failed: ${f.cause}.`));
    s.on("ended", () => ended(""));
    if (s.connection) watchNetwork(s.connection);
    render();
  }

  function toggleHold() {
    if (!session) return;
    holdWanted = !(holdWanted ?? held);
    applyHold(0);
  }

  function applyHold(retries) {
    const s = session;
    if (!s || reoffering || holdWanted === null) return;
    if (holdWanted === held) { holdWanted = null; return; }
    const done = () => {
      if (session !== s) return;
      reoffering = false;
      status(held ? "on hold" : "talking", "talking");
      applyHold(0);
    };
    const sent = holdWanted ? s.hold({}, done) : s.unhold({}, done);
    if (sent !== false) { reoffering = true; return; }
    // Not ready for a re-INVITE (one from the engine is in flight): try again shortly, for a few seconds at most.
    if (retries < 20) setTimeout(() => { if (session === s) applyHold(retries + 1); }, 250);
    else holdWanted = null;
  }

  function ended(message) {
    silence();
    session = null;
    holdWanted = null;
    reoffering = false;
    $("phone-caller").textContent = "";
    $("phone-sent").textContent = "";
    $("phone-audio").srcObject = null;
    if (message) error(message);
    status(ua ? (ua.isRegistered() ? "ready" : "registering…") : "not connected", ua ? "ready" : "off");
  }

  // The remote track may have come before our listeners (JsSIP sets the remote offer while creating the session).
  function hear(pc) {
    const receiver = pc && pc.getReceivers().find(r => r.track && r.track.kind === "audio");
    if (receiver && !$("phone-audio").srcObject) $("phone-audio").srcObject = new MediaStream([receiver.track]);
  }

  // The caller's audio to <audio>; ICE failure (no UDP path to the engine's media port) said in words.
  function watchNetwork(pc) {
    if (!pc || pc.__watched) return;
    pc.__watched = true;
    pc.addEventListener("track", t => { $("phone-audio").srcObject = t.streams[0] || new MediaStream([t.track]); });
    pc.addEventListener("iceconnectionstatechange", () => {
      if (pc.iceConnectionState === "failed")
        error("No media path to the phone server (ICE failed): UDP to the engine's media ports is blocked, or its advertised address is wrong.");
    });
    pc.addEventListener("connectionstatechange", () => {
      if (pc.connectionState === "failed") error("The call's media connection failed (ICE or DTLS).");
    });
  }

  // An outbound call refused by the engine, in words: its dial plan and the agent's state decide (docs/webrtc.md,
  // "The desk's phone": 404 not allowed by the dial plan nor a hotline number, 403 the account may not dial out, 486 not
  // ready, 488 media not agreed).
  function refusal(number, f) {
    const code = f.message && f.message.status_code;
    switch (code) {
      case 404: case 484: return `${number} cannot be called: the dial plan does not allow it, and it is no number of this hotline (${code}).`;
      case 403: return `${number} was refused: your account may not call outside numbers (403, ask an administrator).`;
      case 486: return `${number} was not called: you must be Ready (not on another call, in wrap-up or not ready) to call out (486).`;
      case 488: case 606: return `${number} was not called: the phone server and this browser agreed on no audio (${code}).`;
      case 401: case 407: return "The phone server refused your SIP credentials for the call: connect again.";
      default: return code ? `${number} was not called: the phone server answered ${code} ${f.message.reason_phrase || ""}.`.replace(" .", ".")
        : `The call to ${number} failed: ${f.cause}.`;
    }
  }

  // What may be dialled: digits, * and # (feature codes), a leading + — the engine's dial plan decides the rest.
  const DIALLABLE = /^\+?[0-9*#]{1,32}$/;

  function dial(e) {
    e.preventDefault();
    error("");
    const number = $("phone-number").value.replace(/[\s-]/g, "");
    if (!ua || !ua.isRegistered()) { error("Connect the phone first."); return; }
    if (session) { error("Hang up the current call first."); return; }
    if (!DIALLABLE.test(number)) { error("Type a number: digits only (and * # or a leading +), at most 32."); return; }
    let s;
    try {
      s = ua.call(`sip:${number}@${config.domain}`, MEDIA);
    } catch (ex) {
      error(`The call to ${number} could not start: ${ex.message || ex}`);
      return;
    }
    s.__number = number;
    wire(s);
    $("phone-caller").textContent = "Calling " + number;
    status("calling…", "ringing");
  }

  // Keys: before a call they build the number; during a call they go to the engine as RFC 4733 telephone-events
  // (RTCDTMFSender on the negotiated telephone-event/8000), which the engine decodes after SRTP like any phone's.
  function key(k) {
    if (session && session.isEstablished()) {
      try {
        session.sendDTMF(k, { transportType: JsSIP.C.DTMF_TRANSPORT.RFC2833, duration: 120, interToneGap: 80 });
        $("phone-sent").textContent = ($("phone-sent").textContent || "keys sent: ") + k;
      } catch (ex) {
        error("The key could not be sent: " + (ex.message || ex));
      }
      return;
    }
    if (!session) $("phone-number").value = ($("phone-number").value + k).slice(0, 32);
  }

  async function answer() {
    if (!session) return;
    error("");
    silence();
    session.answer(MEDIA);
  }

  // Read by tests: the call's inbound/outbound RTP counters (getStats, only authenticated SRTP is counted).
  window.__phone = {
    stats: async () => {
      const out = { received: 0, sent: 0 };
      const pc = session && session.connection;
      if (!pc) return out;
      (await pc.getStats()).forEach(r => {
        if (r.type === "inbound-rtp" && r.kind === "audio") out.received = r.packetsReceived;
        if (r.type === "outbound-rtp" && r.kind === "audio") out.sent = r.packetsSent;
      });
      return out;
    },
  };

  json("/console/api/desk").then(r => {
    if (!r.ok || !r.body.phone) return;
    config = r.body.phone;
    $("phone").hidden = false;
    if (config.user) $("phone-user").value = config.user;
    $("phone-connect").addEventListener("submit", connect);
    $("phone-answer").addEventListener("click", answer);
    $("phone-hangup").addEventListener("click", () => session && session.terminate());
    $("phone-hold").addEventListener("click", toggleHold);
    $("phone-mute").addEventListener("click", () => session && (muted ? session.unmute({ audio: true }) : session.mute({ audio: true })));
    $("phone-disconnect").addEventListener("click", () => disconnect());
    $("phone-dial").addEventListener("submit", dial);
    document.querySelectorAll("#phone-keys button").forEach(b => b.addEventListener("click", () => key(b.dataset.key)));
    addEventListener("pagehide", () => { if (ua) ua.stop(); });
    render();
  });
})();
