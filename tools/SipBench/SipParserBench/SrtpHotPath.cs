using BenchmarkDotNet.Attributes;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Srtp;

/// <summary>
/// What SRTP adds per 20 ms G.711 packet (160 bytes of payload): one protect on the sending clock thread and one
/// unprotect on the receive loop (issue 15 target: ≤ 2 µs for both, nothing allocated).
/// </summary>
[MemoryDiagnoser]
public class SrtpHotPath
{
    private readonly byte[] _packet = new byte[RtpPacket.HeaderLength + 160 + 10];
    private SrtpContext _sender = null!;
    private SrtpContext _receiver = null!;
    private ushort _sequence;

    [Params(SrtpSuite.AesCm128HmacSha1_80, SrtpSuite.AesCm128HmacSha1_32)]
    public SrtpSuite Suite { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var master = SrtpMasterKey.Generate();
        _sender = new SrtpContext(Suite, master);
        _receiver = new SrtpContext(Suite, master);
        _packet.AsSpan(RtpPacket.HeaderLength).Fill(0xD5);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }

    [Benchmark]
    public int ProtectAndUnprotect()
    {
        RtpPacket.WriteHeader(_packet, false, 0, _sequence++, 0, 0x1234);
        var length = _sender.Protect(_packet, RtpPacket.HeaderLength + 160);
        _receiver.Unprotect(_packet.AsSpan(0, length), out var plain);
        return plain;
    }
}
