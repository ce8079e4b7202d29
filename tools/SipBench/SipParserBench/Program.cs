using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Hotline.Cti.Sip.Messages;

// --filter '*SipHotPath*' or '*SrtpHotPath*' picks one; '*' runs both. --cpu-time: SRTP in thread CPU time.
// --options-cpu-time: an OPTIONS through the user-agent core in thread CPU time and bytes allocated.
if (args is ["--cpu-time"]) SrtpCpuTime.Run();
else if (args is ["--options-cpu-time"]) OptionsCpuTime.Run();
else BenchmarkSwitcher.FromTypes([typeof(SipHotPath), typeof(SrtpHotPath)]).Run(args);

/// <summary>What one OPTIONS costs the stack: parse, build the 200, serialize it.</summary>
[MemoryDiagnoser]
public class SipHotPath
{
    /// <summary>A 340-byte OPTIONS as sipp sends it (also <c>--options-cpu-time</c>'s request).</summary>
    internal static readonly byte[] Options = Encoding.ASCII.GetBytes(
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

    private readonly byte[] _buffer = new byte[4096];

    [Benchmark]
    public SipParseError Parse() => SipParser.Parse(Options).Error;

    [Benchmark]
    public int ParseRespondSerialize()
    {
        var request = SipParser.Parse(Options).Message!;
        var response = SipResponses.Create(request, 200, toTag: "abcd1234");
        response.AddHeader(SipHeaderNames.Allow, "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER");
        var length = SipSerializer.GetLength(response);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        var n = SipSerializer.Write(response, rented);
        ArrayPool<byte>.Shared.Return(rented);
        return n;
    }
}
