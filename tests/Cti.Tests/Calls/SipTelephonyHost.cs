using Hotline.Cti.Calls;
using Hotline.Cti.Calls.Sip;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Registrar;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Tests.Calls;

/// <summary>
/// A self-contained SIP phone system on one UDP port: transport, user agent, media engine and <see cref="SipTelephony"/>,
/// with every incoming INVITE offered to <see cref="ITelephony.IncomingCall"/>. For tests and load tools (simulated
/// callers and agents: tests/Cti.Tests/Calls, and tools/LoadGen, which compiles this file in), so it lives with the
/// tests, not in the product:
/// the one place the product builds its SIP stack is the engine's <c>AcdEngine/Sip/SipStack</c> (registrar, number
/// routing, TLS/WebSocket, options validated at start).
/// </summary>
public sealed class SipTelephonyHost : IAsyncDisposable
{
    private SipTelephonyHost(SipTransportLayer transport, SipUserAgent userAgent, MediaEngine media, SipTelephony telephony, SipBindings bindings)
    {
        Transport = transport;
        UserAgent = userAgent;
        Media = media;
        Telephony = telephony;
        Bindings = bindings;
    }

    public SipTransportLayer Transport { get; }
    public SipUserAgent UserAgent { get; }
    public MediaEngine Media { get; }
    public SipTelephony Telephony { get; }

    /// <summary>Users this host can dial by name (add contacts with <see cref="SipBindings.Update"/>).</summary>
    public SipBindings Bindings { get; }

    public int Port => Transport.Port;

    /// <summary>Starts on 127.0.0.1 (UDP only, a free port unless <paramref name="port"/> is given).</summary>
    public static SipTelephonyHost Start(RtpOptions rtp, TimeProvider time, ILoggerFactory? loggers = null, int port = 0, string product = "Hotline")
    {
        loggers ??= NullLoggerFactory.Instance;
        var transport = new SipTransportLayer(new SipTransportOptions { Host = "127.0.0.1", Port = port, EnableTcp = false },
            SipParserLimits.Default, loggers.CreateLogger<SipTransportLayer>());
        var userAgent = new SipUserAgent(transport, new SipUserAgentOptions { Domain = "127.0.0.1", Product = product }, time,
            loggers.CreateLogger<SipUserAgent>());
        var media = new MediaEngine(rtp, time, loggers);
        var bindings = new SipBindings(time);
        var telephony = new SipTelephony(userAgent, bindings, media, time, loggers);
        userAgent.IncomingCall += (_, e) => telephony.Offer(e.Session);
        userAgent.RequestReceived += (_, e) => e.Request.Respond(e.Request.Message.Method == SipMethods.Options ? 200 : 405);
        transport.Start(userAgent.Receive);
        return new SipTelephonyHost(transport, userAgent, media, telephony, bindings);
    }

    public async ValueTask DisposeAsync()
    {
        await Transport.DisposeAsync().ConfigureAwait(false);
        await Media.DisposeAsync().ConfigureAwait(false);
    }
}
