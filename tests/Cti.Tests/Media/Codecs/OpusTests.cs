using Concentus.Enums;
using Concentus.Structs;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Tests.Media.Support;

namespace Hotline.Cti.Tests.Media.Codecs;

/// <summary>
/// Opus at the edge of a browser leg (RFC 7587): 8 kHz PCM → Opus → 8 kHz PCM keeps a tone's frequency, a browser's
/// 48 kHz stereo stream decodes to our 8 kHz mono, one lost packet is rebuilt from FEC, a corrupt packet is dropped.
/// (Concentus itself allocates per packet; measured by <c>tools/MediaBench --opus-cost</c>, docs/webrtc.md "Opus".)
/// </summary>
[TestFixture]
public sealed class OpusTests
{
    private static short[] Tone(double hz, int frames)
    {
        var pcm = new short[frames * AudioFormat.SamplesPerFrame];
        var source = ToneSource.Sine(hz);
        for (var f = 0; f < frames; f++) source.ReadFrame(pcm.AsSpan(f * AudioFormat.SamplesPerFrame, AudioFormat.SamplesPerFrame));
        return pcm;
    }

    [TestCase(440.0)]
    [TestCase(1000.0)]
    [TestCase(2500.0)]
    public void An_8k_tone_encoded_and_decoded_keeps_its_frequency(double hz)
    {
        var encoder = new OpusFrameEncoder(24000, 5);
        var decoder = new OpusFrameDecoder();
        var input = Tone(hz, 50);
        var output = new short[input.Length];
        var payload = new byte[AudioFormat.SamplesPerFrame];
        var pcm = new short[Opus.MaxPacketSamples];
        for (var f = 0; f < 50; f++)
        {
            var length = encoder.Encode(input.AsSpan(f * AudioFormat.SamplesPerFrame, AudioFormat.SamplesPerFrame), payload);
            Assert.That(length, Is.InRange(1, AudioFormat.SamplesPerFrame), "one packet per frame, within a G.711 frame's room");
            var n = decoder.Decode(payload.AsSpan(0, length), pcm);
            Assert.That(n, Is.EqualTo(AudioFormat.SamplesPerFrame), "20 ms at 8 kHz");
            pcm.AsSpan(0, n).CopyTo(output.AsSpan(f * AudioFormat.SamplesPerFrame));
        }
        var steady = output[(20 * AudioFormat.SamplesPerFrame)..]; // past the codec's start-up and look-ahead
        var power = Goertzel.RelativePower(steady, hz);
        var other = Goertzel.RelativePower(steady, hz * 0.7);
        var (rmsOut, rmsIn) = (Rms(steady), Rms(input.AsSpan(20 * AudioFormat.SamplesPerFrame)));
        TestContext.Out.WriteLine($"{hz} Hz: relative power {power:F3}, at 0.7×: {other:F4}, rms {rmsOut:F0} of {rmsIn:F0}");
        Assert.Multiple(() =>
        {
            Assert.That(power, Is.GreaterThan(0.8), $"{hz} Hz still dominant after Opus");
            Assert.That(other, Is.LessThan(0.05), "no other tone appeared");
            Assert.That(rmsOut, Is.GreaterThan(rmsIn * 0.5), "level kept");
        });
    }

    // What Chromium sends is a 48 kHz Opus stream (RFC 7587 §7: opus/48000/2). Mono voice at 32 kbit/s is hybrid mode
    // (SILK + CELT, configuration 15), which Concentus decodes to silence at 8 kHz output: we decode at 48 kHz and
    // decimate. Stereo must decode too (RFC 7587 §3.4), and a narrowband (SILK) stream after maxplaybackrate=8000.
    [TestCase(1, 32000, null, 440.0, TestName = "Mono 32 kbit/s (hybrid, Chromium's default) decodes to our 8k")]
    [TestCase(1, 16000, null, 1000.0, TestName = "Mono 16 kbit/s (hybrid super-wideband) decodes to our 8k")]
    [TestCase(2, 64000, null, 1000.0, TestName = "Stereo (CELT) decodes to our 8k mono")]
    [TestCase(1, 24000, OpusBandwidth.OPUS_BANDWIDTH_NARROWBAND, 440.0, TestName = "Narrowband SILK decodes to our 8k")]
    [TestCase(1, 32000, null, 3000.0, TestName = "A 3 kHz tone survives the 48 to 8 kHz decimation")]
    public void A_browsers_48k_stream_decodes_to_our_8k_mono(int channels, int bitrate, OpusBandwidth? maxBandwidth, double hz)
    {
#pragma warning disable CS0618
        var browser = new OpusEncoder(48000, channels, OpusApplication.OPUS_APPLICATION_VOIP) { Bitrate = bitrate };
#pragma warning restore CS0618
        if (maxBandwidth is { } bandwidth) browser.MaxBandwidth = bandwidth;
        var decoder = new OpusFrameDecoder();
        var frame = new short[960 * channels];
        var payload = new byte[1275];
        var pcm = new short[Opus.MaxPacketSamples];
        var heard = new List<short>();
        for (var f = 0; f < 40; f++)
        {
            for (var i = 0; i < 960; i++)
                for (var c = 0; c < channels; c++)
                    frame[(channels * i) + c] = (short)(8000 * Math.Sin(2 * Math.PI * hz * ((f * 960) + i) / 48000.0));
            var length = browser.Encode(frame, 960, payload, payload.Length);
            var n = decoder.Decode(payload.AsSpan(0, length), pcm);
            Assert.That(n, Is.EqualTo(AudioFormat.SamplesPerFrame));
            heard.AddRange(pcm.AsSpan(0, n));
        }
        var steady = heard.ToArray()[(20 * 160)..];
        var power = Goertzel.RelativePower(steady, hz);
        TestContext.Out.WriteLine($"TOC 0x{payload[0]:X2} (configuration {payload[0] >> 3}): {hz} Hz relative power {power:F3}, rms {Rms(steady):F0}");
        Assert.Multiple(() =>
        {
            Assert.That(power, Is.GreaterThan(0.8));
            Assert.That(Rms(steady), Is.GreaterThan(8000 / Math.Sqrt(2) * 0.5), "not silence, level about kept");
        });
    }

    [Test]
    public void The_decimator_keeps_the_telephone_band_and_stops_what_would_fold_back()
    {
        var decimator = new Decimator48To8(960);
        double Gain(double hz)
        {
            var input = new short[960];
            var output = new short[160];
            var heard = new List<short>();
            for (var f = 0; f < 10; f++)
            {
                for (var i = 0; i < 960; i++) input[i] = (short)(10000 * Math.Sin(2 * Math.PI * hz * ((f * 960) + i) / 48000.0));
                decimator.Process(input, output);
                if (f >= 2) heard.AddRange(output);
            }
            return Rms(heard.ToArray()) / (10000 / Math.Sqrt(2));
        }
        Assert.Multiple(() =>
        {
            Assert.That(Gain(300), Is.InRange(0.97, 1.03), "300 Hz passes");
            Assert.That(Gain(3000), Is.InRange(0.95, 1.03), "3 kHz passes");
            Assert.That(Gain(5000), Is.LessThan(0.01), "5 kHz (would fold to 3 kHz) stopped, < -40 dB");
            Assert.That(Gain(12000), Is.LessThan(0.01), "12 kHz stopped");
        });
    }

    [Test]
    public void One_lost_packet_is_rebuilt_from_in_band_fec_in_the_jitter_buffer()
    {
        var encoder = new OpusFrameEncoder(24000, 5);
        var buffer = new InboundAudioBuffer(400) { Opus = new OpusFrameDecoder() };
        var input = Tone(440, 6);
        var payload = new byte[AudioFormat.SamplesPerFrame];
        for (ushort seq = 0; seq < 6; seq++)
        {
            var length = encoder.Encode(input.AsSpan(seq * AudioFormat.SamplesPerFrame, AudioFormat.SamplesPerFrame), payload);
            if (seq == 3) continue; // lost on the way
            buffer.WriteOpusPacket(seq, payload.AsSpan(0, length));
        }
        Assert.Multiple(() =>
        {
            Assert.That(buffer.RecoveredPackets, Is.EqualTo(1));
            Assert.That(buffer.BufferedSamples, Is.EqualTo(6 * AudioFormat.SamplesPerFrame), "5 received + 1 rebuilt, in order");
        });
    }

    [Test]
    public void A_corrupt_packet_is_dropped_not_thrown()
    {
        var decoder = new OpusFrameDecoder();
        // TOC of a 20 ms SILK frame followed by a code-3 count byte claiming 63 frames (RFC 6716 §3.2.5): invalid.
        Assert.That(decoder.Decode([0x0B, 0xFF, 0x01], new short[Opus.MaxPacketSamples]), Is.EqualTo(-1));
    }

    [Test]
    public void The_warm_up_encodes_and_decodes_a_second_without_faulting() =>
        Assert.That(Opus.WarmUp(24000, 3, TimeProvider.System), Is.GreaterThan(TimeSpan.Zero));

    private static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples) sum += (double)s * s;
        return Math.Sqrt(sum / samples.Length);
    }
}
