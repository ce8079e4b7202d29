using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;

/// <summary>
/// <c>--options-cpu-time</c>: one out-of-dialog OPTIONS through the engine's path above the socket: parse, the
/// user-agent core (with a Serilog logger, as the engine has), the 200 with Allow/Accept/Supported built as
/// <c>SipRouting</c> builds it, and serialized into a pooled buffer as the transport does. Measured in the thread's
/// own CPU time (/proc/thread-self/schedstat) and bytes allocated per request. Also the Call-ID log scope alone: what
/// the core opened for every message before the stateless OPTIONS path skipped it.
/// </summary>
internal static class OptionsCpuTime
{
    public static void Run()
    {
        var datagram = Encoding.ASCII.GetBytes(
            "OPTIONS sip:hotline@127.0.0.1:5060 SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0;rport\r\n" +
            "Max-Forwards: 70\r\n" +
            "From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001\r\n" +
            "To: <sip:hotline@127.0.0.1:5060>\r\n" +
            "Call-ID: 1-1234@127.0.0.1\r\n" +
            "CSeq: 1 OPTIONS\r\n" +
            "Contact: <sip:sipp@127.0.0.1:5061>\r\n" +
            "Accept: application/sdp\r\n" +
            "Content-Length: 0\r\n\r\n");
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
        for (var i = 0; i < 100_000; i++) once();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200_000; i++) once();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var best = double.MaxValue;
        for (var run = 0; run < 10; run++)
        {
            var start = ThreadCpuNanoseconds();
            for (var i = 0; i < 50_000; i++) once();
            best = Math.Min(best, (ThreadCpuNanoseconds() - start) / 50_000.0);
        }
        Console.WriteLine($"{what}: {best / 1000:F2} µs CPU per request (best of 10 × 50,000), {allocated / 200_000.0:F0} B allocated per request; {sent()} answers sent");
    }

    private static long ThreadCpuNanoseconds() =>
        long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], CultureInfo.InvariantCulture);

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
