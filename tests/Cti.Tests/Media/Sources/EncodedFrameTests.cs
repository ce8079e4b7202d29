using Hotline.Cti.Media;
using Hotline.Cti.Media.Codecs;
using Hotline.Cti.Media.Sources;

namespace Hotline.Cti.Tests.Media.Sources;

/// <summary>
/// Clips encoded once and shared (IEncodedFrameSource): every frame a session sends must be the bytes the PCM path
/// would have encoded for that session's own position, whichever path produced it.
/// </summary>
public class EncodedFrameTests
{
    // Lengths that are not multiples of a frame, so frames straddle clip boundaries and take the PCM path.
    private static readonly WavClip First = Noise("first", 1000, seed: 1);
    private static readonly WavClip Second = Noise("second", 730, seed: 2);

    private static WavClip Noise(string name, int samples, int seed)
    {
        var random = new Random(seed);
        return WavClip.FromSamples(name, [.. Enumerable.Range(0, samples).Select(_ => (short)random.Next(short.MinValue, short.MaxValue + 1))]);
    }

    // What MediaSession does: the shared bytes when the source has them, else read PCM and encode it.
    private static (bool More, byte[] Payload, bool Shared) Next(IAudioSource source, G711Law law)
    {
        var payload = new byte[AudioFormat.SamplesPerFrame];
        if (source is IEncodedFrameSource encoded && encoded.TryReadEncodedFrame(law, payload)) return (true, payload, true);
        var pcm = new short[AudioFormat.SamplesPerFrame];
        var more = source.ReadFrame(pcm);
        G711.Encode(law, pcm, payload);
        return (more, payload, false);
    }

    private static (bool More, byte[] Payload) Reference(IAudioSource source, G711Law law)
    {
        var pcm = new short[AudioFormat.SamplesPerFrame];
        var payload = new byte[AudioFormat.SamplesPerFrame];
        var more = source.ReadFrame(pcm);
        G711.Encode(law, pcm, payload);
        return (more, payload);
    }

    [TestCase(G711Law.Ulaw)]
    [TestCase(G711Law.Alaw)]
    public void Two_legs_on_the_same_hold_music_at_different_offsets_each_get_their_own_frames(G711Law law)
    {
        var legA = new PlaylistSource([First, Second], loop: true, startClip: 0);
        var legB = new PlaylistSource([First, Second], loop: true, startClip: 1);
        var refA = new PlaylistSource([First, Second], loop: true, startClip: 0);
        var refB = new PlaylistSource([First, Second], loop: true, startClip: 1);
        int shared = 0, encodedHere = 0, differ = 0;
        for (var frame = 0; frame < 200; frame++)
        {
            var a = Next(legA, law);
            var b = Next(legB, law);
            Assert.That(a.Payload, Is.EqualTo(Reference(refA, law).Payload), $"leg A, frame {frame}");
            Assert.That(b.Payload, Is.EqualTo(Reference(refB, law).Payload), $"leg B, frame {frame}");
            Assert.That(a.More && b.More, Is.True);
            shared += (a.Shared ? 1 : 0) + (b.Shared ? 1 : 0);
            encodedHere += (a.Shared ? 0 : 1) + (b.Shared ? 0 : 1);
            if (!a.Payload.SequenceEqual(b.Payload)) differ++;
        }
        Assert.That(shared, Is.GreaterThan(300), "most frames lie inside one clip and come from its shared encoding");
        Assert.That(encodedHere, Is.GreaterThan(0), "frames across a clip boundary are encoded from PCM");
        Assert.That(differ, Is.EqualTo(200), "legs at different offsets never send each other's frame");
    }

    [Test]
    public void A_prompt_sequence_sends_the_same_bytes_and_ends_at_the_same_frame_either_way()
    {
        IAudioSource Prompt() => new SequenceSource([new WavPlayer(First), new SilenceSource(TimeSpan.FromMilliseconds(40)), new WavPlayer(Second)]);
        var leg = Prompt();
        var reference = Prompt();
        for (var frame = 0; frame < 20; frame++)
        {
            var got = Next(leg, G711Law.Ulaw);
            var expected = Reference(reference, G711Law.Ulaw);
            Assert.That(got.More, Is.EqualTo(expected.More), $"frame {frame}");
            Assert.That(got.Payload, Is.EqualTo(expected.Payload), $"frame {frame}");
        }
        Assert.That(Next(leg, G711Law.Ulaw).More, Is.False, "ended after 7 + 2 + 5 frames, like the PCM path");
    }

    [Test]
    public void A_clip_is_encoded_once_with_both_laws() =>
        Assert.That(First.Encoded(G711Law.Alaw).ToArray(), Is.EqualTo(First.Samples.ToArray().Select(G711.LinearToAlaw).ToArray()));
}
