using System.Buffers;
using System.Net;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;

/// <summary>
/// <c>--options-cpu-time</c>: one out-of-dialog OPTIONS through the engine's path above the socket: parse, the
/// user-agent core (with a Serilog logger, as the engine has), the 200 with Allow/Accept/Supported built as
/// <c>SipRouting</c> builds it, and serialized into a pooled buffer as the transport does. Measured in the thread's
/// own CPU time (<see cref="ThreadCpu"/>) and bytes allocated per request. Also the Call-ID log scope alone: what
/// the core opened for every message before the stateless OPTIONS path skipped it.
/// </summary>
internal static class OptionsCpuTime
{
    public static void Run()
    {
        var datagram = SipHotPath.Options;
        using var serilog = new Serilog.LoggerConfiguration().MinimumLevel.Information().Enrich.FromLogContext().CreateLogger();
        using var factory = new SerilogLoggerFactory(serilog);
        var sender = new PooledSerializer();
        var core = new SipUserAgent(sender, new SipUserAgentOptions(), TimeProvider.System, factory.CreateLogger<SipUserAgent>());
        Action<SipMessage> answer = r =>
        {
            r.AddHeader(SipHeaderNames.Allow, core.Options.Allow);
            r.AddHeader("Accept", "application/sdp");
            r.AddHeader(SipHeaderNames.Supported, "");
        };
        core.RequestReceived += (_, e) => e.Request.Respond(200, configure: answer);
        var source = new SipEndPoint(SipProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 5061));
        void Once() => core.Receive(SipParser.Parse(datagram).Message!, source);
        Measure("OPTIONS: parse + user-agent core + 200 built and serialized", Once, () => sender.Sent);

        var logger = factory.CreateLogger("scope");
        void Scope()
        {
            using var scope = logger.BeginScope(new Dictionary<string, object>(1) { ["SipCallId"] = "1-1234@127.0.0.1" });
        }
        Measure("the Call-ID log scope alone (Serilog)", Scope, () => 0);
    }

    private static void Measure(string what, Action once, Func<long> sent)
    {
        var (best, allocated) = ThreadCpu.Measure(once, warmup: 100_000, counted: 200_000);
        Console.WriteLine($"{what}: {best / 1000:F2} µs CPU per request (best of 10 × 50,000), {allocated / 200_000.0:F0} B allocated per request; {sent()} answers sent");
    }

    /// <summary>Serializes what the core sends into a pooled buffer, as <c>SipTransportLayer.Send</c> does, and counts it.</summary>
    private sealed class PooledSerializer : ISipSender
    {
        public long Sent { get; private set; }

        public void Send(SipMessage message, SipEndPoint destination)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(SipSerializer.GetLength(message));
            SipSerializer.Write(message, buffer);
            ArrayPool<byte>.Shared.Return(buffer);
            Sent++;
        }

        public string SentBy(SipProtocol protocol) => "127.0.0.1:5060";
    }
}
