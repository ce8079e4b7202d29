using System.Net;
using Hotline.Cti.Media.Clock;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Sdp;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Media.WebRtc;
using Hotline.Cti.Media.WebRtc.Dtls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Media;

/// <summary>
/// The media core's entry point for the call glue: owns the one <see cref="MediaClock"/> and the RTP port pool,
/// and creates a <see cref="MediaSession"/> (with its <see cref="SdpAnswerer"/>) per call leg.
/// </summary>
public sealed partial class MediaEngine : IAsyncDisposable
{
    private readonly RtpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly bool _ownsClock;
    private readonly Lazy<DtlsCertificate> _dtlsCertificate;
    private readonly Lazy<RtpReceiver?> _receiver;

    /// <summary>
    /// Creates the engine. With <paramref name="clock"/> null it creates and starts its own real-time clock; tests pass
    /// a stopped clock and drive it with <see cref="MediaClock.TickOnce"/>.
    /// </summary>
    public MediaEngine(RtpOptions options, TimeProvider time, ILoggerFactory? loggers = null, MediaClock? clock = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("Configuration error: " + string.Join(" ", errors), nameof(options));
        _options = options;
        _time = time;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        Ports = new RtpPortAllocator(options);
        // One DTLS identity per engine start (RFC 8827 §6.5: the fingerprint in SDP authenticates it), made on first use.
        _dtlsCertificate = new Lazy<DtlsCertificate>(() => DtlsCertificate.Generate(time), LazyThreadSafetyMode.ExecutionAndPublication);
        AdvertisedAddress = IPAddress.Parse(options.AdvertisedAddress ?? options.BindAddress);
        // Threads only once a session exists (many engines in tests never make one).
        _receiver = new Lazy<RtpReceiver?>(() => options.SharedReceive ? RtpReceiver.TryCreate(_loggers.CreateLogger<RtpReceiver>()) : null,
            LazyThreadSafetyMode.ExecutionAndPublication);
        if (clock is null)
        {
            Clock = new MediaClock(time, _loggers.CreateLogger<MediaClock>(), realtime: options.RealtimeClock);
            Clock.Start();
            _ownsClock = true;
        }
        else
        {
            Clock = clock;
        }
    }

    public MediaClock Clock { get; }

    public RtpPortAllocator Ports { get; }

    /// <summary>SRTP/SRTCP packets dropped by every session of this engine (for the engine's stats).</summary>
    public SrtpDropCounters SrtpDrops { get; } = new();

    /// <summary>RTP packets sent, received and lost by every session of this engine, since start (for the engine's metrics).</summary>
    public RtpTotals RtpTotals { get; } = new();

    /// <summary>The address we put in SDP.</summary>
    public IPAddress AdvertisedAddress { get; }

    /// <summary>
    /// A new session on a fresh port pair, not yet started. Dispose it to free the ports. Unprivileged sessions
    /// (calls from unauthenticated parties) cannot take the reserved pairs (<c>Rtp:ReservedPercent</c>).
    /// </summary>
    public MediaSession CreateSession(bool privileged = true)
    {
        var endpoint = Ports.Allocate(privileged);
        var session = new MediaSession(Clock, endpoint, _options, _time, _loggers.CreateLogger<MediaSession>())
        {
            EngineSrtpDrops = SrtpDrops, EngineRtpTotals = RtpTotals,
            Receiver = _receiver.Value,
        };
        RtpTotals.Add(session.Statistics);
        return session;
    }

    /// <summary>The engine's DTLS certificate for WebRTC legs (its SHA-256 fingerprint goes in their SDP).</summary>
    public DtlsCertificate DtlsCertificate => _dtlsCertificate.Value;

    /// <summary>
    /// Runs one DTLS-SRTP handshake in memory (<see cref="DtlsWarmUp"/>) and, with <c>Rtp:WebRtc:Opus</c>, one second of
    /// Opus (<see cref="Opus.WarmUp"/>) so the first browser call is as fast as the next ones and does not compile
    /// Concentus on the media clock's thread; for hosts that take browser calls. Never faults: a failure is logged (the calls would fail the same way).
    /// </summary>
    public async Task WarmUpWebRtcAsync()
    {
        var logger = _loggers.CreateLogger<MediaEngine>();
        try
        {
            var elapsed = await DtlsWarmUp.RunAsync(DtlsCertificate, _time).ConfigureAwait(false);
            LogWarmedUp(logger, elapsed.TotalMilliseconds);
            if (_options.WebRtc.Opus)
            {
                var opus = await Task.Run(() => Opus.WarmUp(_options.WebRtc.OpusBitrate, _options.WebRtc.OpusComplexity, _time)).ConfigureAwait(false);
                LogOpusWarmedUp(logger, opus.TotalMilliseconds);
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException or AggregateException or Org.BouncyCastle.Tls.TlsException)
        {
            LogWarmUpFailed(logger, e.GetBaseException().Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "WebRTC: DTLS-SRTP warmed up (one in-memory handshake) in {Ms} ms")]
    private static partial void LogWarmedUp(ILogger logger, double ms);

    [LoggerMessage(Level = LogLevel.Information, Message = "WebRTC: Opus warmed up (1 s encoded and decoded) in {Ms} ms")]
    private static partial void LogOpusWarmedUp(ILogger logger, double ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebRTC: the DTLS-SRTP warm-up handshake failed: {Reason}")]
    private static partial void LogWarmUpFailed(ILogger logger, string reason);

    /// <summary>
    /// The SDP side of a session: answers offers and makes offers advertising its port, plain or SRTP as
    /// <paramref name="policy"/> says. A browser's offer (UDP/TLS/RTP/SAVPF) is answered with ICE-lite and DTLS-SRTP;
    /// with <paramref name="webRtc"/> (the leg rings a browser) our own offers are WebRTC offers.
    /// </summary>
    public SdpAnswerer CreateSdp(MediaSession session, SrtpPolicy policy = SrtpPolicy.Optional, bool webRtc = false) =>
        new(AdvertisedAddress, session.LocalEndPoint.Port, _time.GetUtcNow().ToUnixTimeSeconds() + session.LocalEndPoint.Port, policy,
            new WebRtcEndpoint(IceCredentials.Generate(), DtlsCertificate, session.Ssrc), webRtc, opus: _options.WebRtc.Opus);

    public async ValueTask DisposeAsync()
    {
        if (_ownsClock) await Clock.DisposeAsync().ConfigureAwait(false);
        if (_receiver.IsValueCreated) _receiver.Value?.Dispose();
    }
}
