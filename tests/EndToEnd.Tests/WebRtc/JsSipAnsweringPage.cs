namespace Hotline.EndToEnd.Tests.WebRtc;

/// <summary>
/// A JsSIP phone that answers the first call with the (fake) microphone and measures what it hears: the remote track
/// goes to a WebAudio <c>AnalyserNode</c> (<c>peak()</c>: the loudest frequency and its level) and
/// <c>RTCPeerConnection.getStats()</c> gives the first decrypted RTP (<c>window.firstRtpMs</c>, after the answer) and the
/// packets sent and received (<c>window.latest</c>). <c>call(uri)</c> places a call instead; <c>hangup()</c> ends the call from the browser. Served by <see cref="JsSipPage.Server"/>.
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
          s.on('sdp', d => { if (d.originator === 'local') window.localSdp = d.sdp; else window.remoteSdp = d.sdp; });
        }
        // The browser calls out (the desk's outbound call): its offer, our answer (a=setup:passive).
        window.call = target => wire(window.ua.call(target, { mediaConstraints: microphone, pcConfig: { iceServers: [] } }));
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
            const out = { received: 0, sent: 0, energy: 0 };
            (await pc.getStats()).forEach(r => {
              if (r.type === 'inbound-rtp' && r.kind === 'audio') { out.received = r.packetsReceived; out.energy = r.totalAudioEnergy || 0; }
              if (r.type === 'outbound-rtp' && r.kind === 'audio') out.sent = r.packetsSent;
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
