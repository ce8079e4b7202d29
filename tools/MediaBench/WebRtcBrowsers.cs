using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Media.WebRtc;
using Hotline.Cti.Media.WebRtc.Dtls;
using Org.BouncyCastle.Tls;

namespace Hotline.MediaBench;

/// <summary>Counts a set of loopback receivers' RTP packets and sequence gaps (the bench's stand-in phones).</summary>
internal interface IRtpCounter
{
    void Reset();

    (long Packets, long Missing, int Streams) Totals();
}

/// <summary>
/// The bench's browsers for <c>--webrtc N</c>: per engine leg, what Chromium does after the SDP answer — a STUN
/// binding request with the leg's ICE credentials and USE-CANDIDATE (RFC 8445 §7.2.2, we are controlling), the DTLS
/// client handshake with our own certificate against the engine's SDP fingerprint (RFC 5763, <see cref="DtlsSrtpClient"/>),
/// the exported SRTP keys (RFC 5764 §4.2), then SRTP unprotect of the engine's stream, consent checks every 5 s
/// (RFC 7675) and, optionally, SRTP sent back every 20 ms. Several legs share one socket (demultiplexed by the
/// engine port the datagram came from); one receive thread per socket, named <c>sink</c> like <see cref="UdpSink"/>.
/// Handshakes run on a few worker threads, so at most that many are in flight (a browser farm does not answer 200
/// calls in the same millisecond).
/// </summary>
internal sealed class WebRtcBrowsers : IRtpCounter, IDisposable
{
    private readonly Socket[] _sockets;
    private readonly Thread[] _receivers;
    private readonly Leg?[] _byEnginePort = new Leg?[65536];
    private readonly List<Leg> _legs = [];
    private volatile bool _stopping;
    private Thread? _talker;

    private readonly bool _opus;

    /// <param name="opus">The browsers answer Opus (RFC 7587, as Chromium does to our offer) and send Opus back.</param>
    public WebRtcBrowsers(int sockets, bool opus = false)
    {
        _opus = opus;
        _sockets = new Socket[Math.Max(1, sockets)];
        _receivers = new Thread[_sockets.Length];
        for (var i = 0; i < _sockets.Length; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 8 * 1024 * 1024 };
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            socket.ReceiveTimeout = 200;
            _sockets[i] = socket;
            _receivers[i] = new Thread(Receive) { IsBackground = true, Name = "sink" };
        }
    }

    public IReadOnlyList<Leg> Legs => _legs;

    /// <summary>A browser for the engine's offer; returns the answer it would send (setup:active, rtcp-mux, PCMU).</summary>
    public Leg Add(string offer)
    {
        var socket = _sockets[_legs.Count % _sockets.Length];
        var leg = new Leg(_legs.Count, socket, offer, _opus);
        if (_byEnginePort[leg.EnginePort] is not null) throw new InvalidOperationException($"two legs on engine port {leg.EnginePort}");
        _byEnginePort[leg.EnginePort] = leg;
        _legs.Add(leg);
        return leg;
    }

    public void StartReceiving()
    {
        foreach (var t in _receivers) t.Start();
    }

    /// <summary>ICE + DTLS for every leg, at most <paramref name="concurrency"/> at a time; returns when all ended or <paramref name="timeout"/> passed.</summary>
    public bool Handshake(int concurrency, TimeSpan timeout)
    {
        var queue = new ConcurrentQueue<Leg>(_legs);
        var workers = Enumerable.Range(0, Math.Max(1, concurrency)).Select(i => new Thread(() =>
        {
            while (!_stopping && queue.TryDequeue(out var leg)) leg.Handshake();
        }) { IsBackground = true, Name = "dtls-client-" + i }).ToArray();
        foreach (var w in workers) w.Start();
        var deadline = Stopwatch.StartNew();
        return workers.All(w => w.Join(Math.Max(0, (int)(timeout - deadline.Elapsed).TotalMilliseconds)));
    }

    /// <summary>The browsers talk: one thread sends each keyed leg an SRTP packet every 20 ms and a consent check every 5 s.</summary>
    public void StartTalking(bool srtp)
    {
        _talker = new Thread(() => Talk(srtp)) { IsBackground = true, Name = "browser-talker" };
        _talker.Start();
    }

    public void Reset()
    {
        foreach (var leg in _legs) leg.ResetCounters();
    }

    public (long Packets, long Missing, int Streams) Totals()
    {
        long p = 0, m = 0;
        var streams = 0;
        foreach (var leg in _legs)
        {
            p += Volatile.Read(ref leg.Packets);
            m += Volatile.Read(ref leg.Missing);
            if (leg.Packets > 0) streams++;
        }
        return (p, m, streams);
    }

    public long AuthenticationFailures => _legs.Sum(l => Volatile.Read(ref l.AuthFailures));

    private void Receive()
    {
        var socket = _sockets[Array.IndexOf(_receivers, Thread.CurrentThread)];
        var buffer = new byte[2048];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        while (!_stopping)
        {
            int n;
            try
            {
                n = socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException)
            {
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            // sockaddr_in: family (2 bytes), port (network order).
            var port = (from.Buffer.Span[2] << 8) | from.Buffer.Span[3];
            if (n < 1 || _byEnginePort[port] is not { } leg) continue;
            leg.OnDatagram(buffer.AsSpan(0, n));
        }
    }

    private void Talk(bool srtp)
    {
        var packet = new byte[RtpPacket.HeaderLength + AudioFormat.SamplesPerFrame + 16];
        byte[] payload;
        if (_opus)
        {
            // What Chromium sends: a 48 kHz mono Opus stream at 32 kbit/s (hybrid mode for voice), here one packet of a tone
            // sent again and again (the engine decodes every one at 48 kHz and decimates it to 8 kHz).
#pragma warning disable CS0618
            var encoder = new Concentus.Structs.OpusEncoder(48000, 1, Concentus.Enums.OpusApplication.OPUS_APPLICATION_VOIP) { Bitrate = 32000 };
#pragma warning restore CS0618
            var frame = new short[960];
            var buffer = new byte[AudioFormat.SamplesPerFrame];
            var length = 0;
            for (var f = 0; f < 10; f++)
            {
                for (var i = 0; i < 960; i++) frame[i] = (short)(8000 * Math.Sin(2 * Math.PI * 1000 * ((f * 960) + i) / 48000.0));
                length = encoder.Encode(frame, 960, buffer, buffer.Length);
            }
            payload = buffer[..length];
        }
        else
        {
            payload = new byte[AudioFormat.SamplesPerFrame];
            var pcm = new short[AudioFormat.SamplesPerFrame];
            ToneSource.Sine(1000).ReadFrame(pcm);
            G711.Encode(G711Law.Ulaw, pcm, payload);
        }
        var (payloadType, step) = _opus ? ((byte)111, 960) : ((byte)0, AudioFormat.SamplesPerFrame);
        var started = Stopwatch.GetTimestamp();
        for (long tick = 0; !_stopping; tick++)
        {
            var due = started + (tick * Stopwatch.Frequency / 50);
            while (Stopwatch.GetTimestamp() < due) Thread.Sleep(1);
            for (var i = 0; i < _legs.Count; i++)
            {
                var leg = _legs[i];
                if (leg.Out is not { } context) continue;
                try
                {
                    // RFC 7675 §5.1: consent every ~5 s (250 ticks), legs spread over the period.
                    if ((tick + i) % 250 == 0) leg.Socket.SendTo(leg.ConsentCheck, SocketFlags.None, leg.Engine);
                    if (!srtp) continue;
                    RtpPacket.WriteHeader(packet, false, payloadType, (ushort)tick, (uint)(tick * step), leg.Ssrc);
                    payload.CopyTo(packet.AsSpan(RtpPacket.HeaderLength));
                    var length = context.Protect(packet, RtpPacket.HeaderLength + payload.Length);
                    leg.Socket.SendTo(packet.AsSpan(0, length), SocketFlags.None, leg.Engine);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var s in _sockets) s.Dispose();
        foreach (var t in _receivers) if (t.IsAlive) t.Join();
        _talker?.Join();
        foreach (var leg in _legs) leg.Dispose();
    }

    /// <summary>One browser leg: its ICE credentials and certificate, the engine's from the offer, its SRTP contexts.</summary>
    internal sealed class Leg : IDisposable
    {
        private readonly string _engineUfrag;
        private readonly string _enginePwd;
        private readonly string _engineFingerprint;
        private readonly DtlsCertificate _certificate;
        private readonly ManualResetEventSlim _iceAnswered = new();
        private DtlsPacketChannel? _channel;
        private DtlsTransport? _transport;
        private SrtpContext? _in;
        private ushort _lastSequence;
        private bool _seen;
        public long Packets;
        public long Missing;
        public long AuthFailures;

        public Leg(int index, Socket socket, string offer, bool opus = false)
        {
            Socket = socket;
            string? Attribute(string name) => offer.Split("\r\n").FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim();
            _engineUfrag = Attribute("a=ice-ufrag:") ?? throw new InvalidOperationException("offer without a=ice-ufrag");
            _enginePwd = Attribute("a=ice-pwd:") ?? throw new InvalidOperationException("offer without a=ice-pwd");
            _engineFingerprint = Attribute("a=fingerprint:sha-256 ") ?? throw new InvalidOperationException("offer without a sha-256 fingerprint");
            EnginePort = int.Parse(Attribute("m=audio ")!.Split(' ')[0], CultureInfo.InvariantCulture);
            // Whatever the candidate's address, the bench only ever talks to loopback.
            Engine = new IPEndPoint(IPAddress.Loopback, EnginePort).Serialize();
            _certificate = DtlsCertificate.Generate(TimeProvider.System); // a browser makes one per RTCPeerConnection
            Ssrc = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
            var ice = IceCredentials.Generate();
            ConsentCheck = Check(_engineUfrag + ":" + ice.Ufrag, _enginePwd, useCandidate: false);
            var local = (IPEndPoint)socket.LocalEndPoint!;
            var codecs = opus ? "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:110 telephone-event/48000\r\n"
                : "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
            AnswerSdp = string.Create(CultureInfo.InvariantCulture,
                $"v=0\r\no=- {1000 + index} 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
                $"m=audio {local.Port} UDP/TLS/RTP/SAVPF {(opus ? "111 110" : "0 8 101")}\r\nc=IN IP4 127.0.0.1\r\n" +
                $"a=candidate:1 1 udp 2122194687 127.0.0.1 {local.Port} typ host\r\n" +
                $"a=ice-ufrag:{ice.Ufrag}\r\na=ice-pwd:{ice.Pwd}\r\na=fingerprint:sha-256 {_certificate.Fingerprint}\r\n" +
                $"a=setup:active\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n{codecs}" +
                $"a=ssrc:{Ssrc} cname:mediabench{index}\r\n");
            _localUfrag = ice.Ufrag;
        }

        private readonly string _localUfrag;

        public Socket Socket { get; }
        public int EnginePort { get; }
        public SocketAddress Engine { get; }
        public uint Ssrc { get; }
        public string AnswerSdp { get; }
        public byte[] ConsentCheck { get; }
        public SrtpContext? Out { get; private set; }

        /// <summary>From the first check sent to the keys; null when it failed.</summary>
        public TimeSpan? TimeToKeys { get; private set; }

        public string? Failure { get; private set; }

        public void Handshake()
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var check = Check(_engineUfrag + ":" + _localUfrag, _enginePwd, useCandidate: true);
                for (var attempt = 0; !_iceAnswered.IsSet; attempt++)
                {
                    if (attempt == 10) throw new TimeoutException("no answer to 10 ICE checks");
                    Socket.SendTo(check, SocketFlags.None, Engine);
                    _iceAnswered.Wait(200);
                }
                var engine = Engine;
                _channel = new DtlsPacketChannel(d => Socket.SendTo(d.Span, SocketFlags.None, engine));
                var client = new DtlsSrtpClient(_certificate, _engineFingerprint);
                _transport = new DtlsClientProtocol().Connect(client, _channel);
                var keys = client.Keying ?? throw new IOException("no SRTP keys exported");
                Volatile.Write(ref _in, new SrtpContext(keys.Suite, keys.Remote));
                Out = new SrtpContext(keys.Suite, keys.Local);
                TimeToKeys = Stopwatch.GetElapsedTime(started);
            }
            catch (Exception e) when (e is IOException or TimeoutException or SocketException)
            {
                Failure = e.Message;
            }
        }

        /// <summary>On the socket's receive thread: STUN answers, DTLS records, the engine's SRTP (and SRTCP, ignored).</summary>
        public void OnDatagram(Span<byte> datagram)
        {
            switch (datagram[0])
            {
                case <= 3:
                    if (StunMessage.TryParse(datagram, out var m) && m.Type == StunMessage.BindingSuccess) _iceAnswered.Set();
                    return;
                case >= 20 and <= 63:
                    _channel?.Deliver(datagram);
                    return;
                case >= 128 and <= 191:
                    if (datagram.Length < 12 || datagram[1] is >= 192 and <= 223) return; // SRTCP (rtcp-mux)
                    if (Volatile.Read(ref _in) is not { } context) return;
                    if (context.Unprotect(datagram, out _) != SrtpUnprotectResult.Ok)
                    {
                        Interlocked.Increment(ref AuthFailures);
                        return;
                    }
                    var seq = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
                    if (_seen)
                    {
                        var delta = (ushort)(seq - _lastSequence);
                        if (delta is > 1 and < 1000) Interlocked.Add(ref Missing, delta - 1);
                        if (delta is > 0 and < 1000) _lastSequence = seq;
                    }
                    else
                    {
                        _seen = true;
                        _lastSequence = seq;
                    }
                    Interlocked.Increment(ref Packets);
                    return;
            }
        }

        public void ResetCounters()
        {
            Interlocked.Exchange(ref Packets, 0);
            Interlocked.Exchange(ref Missing, 0);
        }

        public void Dispose()
        {
            _channel?.Close();
            _in?.Dispose();
            Out?.Dispose();
            _iceAnswered.Dispose();
        }

        // RFC 8445 §7.2.2 / RFC 8489: a binding request with USERNAME "engine:ours", ICE-CONTROLLING, PRIORITY,
        // USE-CANDIDATE (nomination), MESSAGE-INTEGRITY keyed with the engine's ice-pwd, FINGERPRINT.
        private static byte[] Check(string username, string password, bool useCandidate)
        {
            var b = new byte[StunMessage.MaxLength];
            BinaryPrimitives.WriteUInt16BigEndian(b, StunMessage.BindingRequest);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), StunMessage.MagicCookie);
            RandomNumberGenerator.Fill(b.AsSpan(8, 12));
            var pos = 20;
            void Attr(ushort type, ReadOnlySpan<byte> value)
            {
                BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(pos), type);
                BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(pos + 2), (ushort)value.Length);
                value.CopyTo(b.AsSpan(pos + 4));
                pos += 4 + ((value.Length + 3) & ~3);
            }
            Attr(StunMessage.AttrUsername, Encoding.UTF8.GetBytes(username));
            Attr(StunMessage.AttrIceControlling, RandomNumberGenerator.GetBytes(8));
            Attr(StunMessage.AttrPriority, [0x6e, 0, 1, 0xff]);
            if (useCandidate) Attr(StunMessage.AttrUseCandidate, ReadOnlySpan<byte>.Empty);
            var at = pos;
            Attr(StunMessage.AttrMessageIntegrity, new byte[20]);
            StunMessage.ComputeIntegrity(b, at, Encoding.UTF8.GetBytes(password), b.AsSpan(at + 4, 20));
            var fp = pos;
            Attr(StunMessage.AttrFingerprint, new byte[4]);
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)(pos - 20));
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(fp + 4), StunMessage.ComputeFingerprint(b, fp));
            return b[..pos];
        }
    }
}
