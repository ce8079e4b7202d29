namespace Hotline.EndToEnd.Tests.WebRtc;

/// <summary>
/// A JsSIP phone that answers the first call with the (fake) microphone and measures what it hears: the remote track
/// goes to a WebAudio <c>AnalyserNode</c> (<c>peak()</c>: the loudest frequency and its level) and
/// <c>RTCPeerConnection.getStats()</c> gives the first decrypted RTP (<c>window.firstRtpMs</c>, after the answer) and the
/// packets sent and received and the codecs each way (<c>window.latest</c>: <c>inCodec</c>/<c>outCodec</c>, e.g.
/// <c>audio/opus</c>). <c>call(uri, noOpus)</c> places a call instead (<c>noOpus</c>: Opus and RED taken out of the offer
/// JsSIP sends, as a browser without Opus would offer); <c>hangup()</c> ends the call from the browser. Served by <see cref="JsSipPage.Server"/>.
/// </summary>
internal static class JsSipAnsweringPage
{
    public const string Html = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>JsSIP answering phone</title>
        <script src="/vendor/jssip/jssip.min.js"></script>
        </head><body>
        <script>
        window.state = [];
        // window.passiveAnswer: Chromium's answer says a=setup:passive instead of active (RFC 5763 §5 lets the answerer
        // choose), so the engine, which offered actpass, must be the DTLS client. Changed before setLocalDescription
        // (JsSIP's 'sdp' event comes after it), so Chromium really takes the DTLS server's role.
        const createAnswer = RTCPeerConnection.prototype.createAnswer;
        RTCPeerConnection.prototype.createAnswer = async function (...args) {
          const d = await createAnswer.apply(this, args);
          return window.passiveAnswer ? { type: d.type, sdp: d.sdp.replace(/a=setup:active/g, 'a=setup:passive') } : d;
        };
        const note = s => { window.state.push(Math.round(performance.now()) + ' ' + s); console.log(s); };
        window.register = (url, user, password, domain) => new Promise(resolve => {
          setTimeout(() => resolve('timeout'), 20000);
          const ua = new JsSIP.UA({ sockets: [new JsSIP.WebSocketInterface(url)], uri: 'sip:' + user + '@' + domain, password: password,
            register: true, register_expires: 300, session_timers: false });
          ua.on('registered', () => resolve('registered'));
          ua.on('registrationFailed', e => resolve('failed:' + e.cause));
          ua.on('newRTCSession', e => {
            if (e.originator !== 'remote' || window.session) return;
            window.offer = e.request.body;
            wire(e.session);
            e.session.answer({ mediaConstraints: microphone, pcConfig: { iceServers: [] } });
          });
          ua.start();
          window.ua = ua;
        });
        // The fake device's tone as it is: no echo cancellation, noise suppression or gain control on a pure tone.
        const microphone = { audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false }, video: false };
        function wire(s) {
          window.session = s;
          s.on('peerconnection', p => note('peerconnection'));
          s.on('accepted', () => { window.answeredAt = performance.now(); note('accepted'); listen(s.connection); });
          s.on('confirmed', () => note('confirmed'));
          s.on('failed', f => { window.failed = f.cause; note('failed: ' + f.cause); });
          s.on('ended', f => { window.ended = f.cause; note('ended: ' + f.cause + ' by ' + f.originator); });
          s.on('sdp', d => {
            if (d.originator === 'local' && d.type === 'offer' && window.noOpus) d.sdp = stripOpus(d.sdp);
            if (d.originator === 'local') window.localSdp = d.sdp; else window.remoteSdp = d.sdp;
          });
        }
        // JsSIP sends the SDP its 'sdp' event leaves: drop opus and red (which wraps opus) from the m-line and their attributes.
        function stripOpus(sdp) {
          const lines = sdp.split('\r\n');
          const drop = new Set(lines.map(l => l.match(/^a=rtpmap:(\d+) (opus|red)\//i)).filter(m => m).map(m => m[1]));
          return lines.filter(l => { const m = l.match(/^a=(rtpmap|fmtp|rtcp-fb):(\d+)/); return !(m && drop.has(m[2])); })
            .map(l => l.startsWith('m=audio') ? l.split(' ').filter((t, i) => i < 3 || !drop.has(t)).join(' ') : l).join('\r\n');
        }
        // The browser calls out (the desk's outbound call): its offer, our answer (a=setup:passive).
        window.call = (target, noOpus) => {
          window.noOpus = !!noOpus;
          wire(window.ua.call(target, { mediaConstraints: microphone, pcConfig: { iceServers: [] } }));
        };
        function listen(pc) {
          pc.addEventListener('iceconnectionstatechange', () => note('ice: ' + pc.iceConnectionState));
          pc.addEventListener('connectionstatechange', () => note('connection: ' + pc.connectionState));
          const receiver = pc.getReceivers().find(r => r.track && r.track.kind === 'audio');
          const stream = new MediaStream([receiver.track]);
          // Chromium only pulls a remote WebRTC track through WebAudio while a media element plays it.
          const audio = new Audio();
          audio.srcObject = stream;
          audio.muted = true;
          audio.play().catch(e => note('audio.play: ' + e));
          const ctx = new AudioContext();
          ctx.resume();
          const analyser = ctx.createAnalyser();
          analyser.fftSize = 8192;
          analyser.smoothingTimeConstant = 0;
          ctx.createMediaStreamSource(stream).connect(analyser);
          const bins = new Float32Array(analyser.frequencyBinCount);
          window.peak = () => {
            analyser.getFloatFrequencyData(bins);
            let best = 1;
            for (let i = 2; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
            return { hz: best * ctx.sampleRate / analyser.fftSize, db: bins[best] };
          };
          window.stats = async () => {
            const out = { received: 0, sent: 0, energy: 0, inCodec: '', outCodec: '' };
            const report = await pc.getStats();
            const codec = id => { const c = id && report.get(id); return c ? c.mimeType + '/' + c.clockRate + ' pt ' + c.payloadType : ''; };
            report.forEach(r => {
              if (r.type === 'inbound-rtp' && r.kind === 'audio') { out.received = r.packetsReceived; out.energy = r.totalAudioEnergy || 0; out.inCodec = codec(r.codecId); }
              if (r.type === 'outbound-rtp' && r.kind === 'audio') { out.sent = r.packetsSent; out.outCodec = codec(r.codecId); }
            });
            return out;
          };
          // The first decrypted RTP (inbound-rtp counts only authenticated packets), and the latest counters for the
          // test's (synchronous) waits, polled in the page every 10 ms.
          const poll = async () => {
            const now = await window.stats();
            window.latest = now;
            if (now.received > 0 && window.firstRtpMs === undefined) { window.firstRtpMs = Math.round(performance.now() - window.answeredAt); note('first RTP'); }
            if (!window.ended) setTimeout(poll, 10);
          };
          poll();
        }
        window.hangup = () => window.session.terminate();
        </script></body></html>
        """;
}
