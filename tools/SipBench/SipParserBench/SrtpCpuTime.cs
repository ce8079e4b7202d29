using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Srtp;

/// <summary>
/// <c>--cpu-time</c>: protect + unprotect of a 20 ms G.711 packet measured in the thread's own CPU time
/// (<see cref="ThreadCpu"/>), not BenchmarkDotNet's wall time. Best of 10 runs.
/// </summary>
internal static class SrtpCpuTime
{
    public static void Run()
    {
        foreach (var suite in new[] { SrtpSuite.AesCm128HmacSha1_80, SrtpSuite.AesCm128HmacSha1_32 })
        {
            var master = SrtpMasterKey.Generate();
            using var sender = new SrtpContext(suite, master);
            using var receiver = new SrtpContext(suite, master);
            var packet = new byte[RtpPacket.HeaderLength + 160 + 10];
            packet.AsSpan(RtpPacket.HeaderLength).Fill(0xD5);
            ushort sequence = 0;
            void Once()
            {
                RtpPacket.WriteHeader(packet, false, 0, sequence++, 0, 0x1234);
                var length = sender.Protect(packet, RtpPacket.HeaderLength + 160);
                if (receiver.Unprotect(packet.AsSpan(0, length), out _) != SrtpUnprotectResult.Ok) throw new InvalidOperationException("unprotect failed");
            }
            var (best, allocated) = ThreadCpu.Measure(Once, warmup: 50_000, counted: 500_000);
            Console.WriteLine($"{suite}: protect + unprotect {best / 1000:F2} µs CPU per packet (best of 10 × 50,000); {allocated} B allocated over 500,000 packets");
        }
    }
}
