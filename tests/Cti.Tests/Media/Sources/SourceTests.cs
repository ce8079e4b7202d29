using Hotline.Cti.Media;
using Hotline.Cti.Media.Sources;
using Hotline.Cti.Tests.Media.Support;

namespace Hotline.Cti.Tests.Media.Sources;

public class SourceTests
{
    private static short[] Drain(IAudioSource source, int maxFrames, out int frames)
    {
        var all = new List<short>();
        var frame = new short[AudioFormat.SamplesPerFrame];
        frames = 0;
        while (frames < maxFrames && source.ReadFrame(frame))
        {
            all.AddRange(frame);
            frames++;
        }
        return [.. all];
    }

    [TestCase(440)]
    [TestCase(1000)]
    [TestCase(2600)]
    public void A_sine_tone_is_at_its_frequency(int hz)
    {
        var samples = Drain(ToneSource.Sine(hz), 25, out _);
        Assert.That(Goertzel.RelativePower(samples, hz), Is.GreaterThan(0.9));
        Assert.That(Goertzel.RelativePower(samples, hz + 300), Is.LessThan(0.05));
    }

    [Test]
    public void Busy_is_cadenced_and_a_beep_ends()
    {
        var busy = Drain(ToneSource.Busy(), 35, out _); // 700 ms: 350 on, 350 off
        Assert.That(busy.Take(2800).Max(), Is.GreaterThan(5000));
        Assert.That(busy.Skip(2800).Take(2800).All(s => s == 0), Is.True);
        Drain(ToneSource.Beep(), 100, out var beepFrames);
        Assert.That(beepFrames, Is.EqualTo(10));
    }

    [Test]
    public void Bad_tone_parameters_are_refused() =>
        Assert.That(() => ToneSource.Sine(5000), Throws.TypeOf<ArgumentOutOfRangeException>());

    [Test]
    public void A_looped_playlist_is_gapless_and_a_sequence_ends_after_its_parts()
    {
        var a = WavClip.FromSamples("a", Enumerable.Repeat((short)1, 100).ToArray());
        var b = WavClip.FromSamples("b", Enumerable.Repeat((short)2, 250).ToArray());
        var looped = Drain(new PlaylistSource([a, b], loop: true), 10, out var frames);
        Assert.That(frames, Is.EqualTo(10));
        var expected = Enumerable.Range(0, 1600).Select(i => (short)(i % 350 < 100 ? 1 : 2));
        Assert.That(looped, Is.EqualTo(expected));

        var once = Drain(new SequenceSource([new WavPlayer(a), new SilenceSource(TimeSpan.FromMilliseconds(40)), new WavPlayer(b)]), 100, out var seqFrames);
        Assert.That(seqFrames, Is.EqualTo(1 + 2 + 2));
        Assert.That(once.Take(100).All(s => s == 1) && once.Skip(160).Take(320).All(s => s == 0), Is.True);
    }

    [Test]
    public void A_wav_that_is_not_8khz_16bit_mono_is_refused_naming_file_and_format()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hotline-16k-{Guid.NewGuid():N}.wav");
        try
        {
            using (var recorder = new Hotline.Cti.Media.Recording.WavRecorder(path)) recorder.Write(new short[160]);
            var bytes = File.ReadAllBytes(path);
            BitConverter.GetBytes(16000).CopyTo(bytes, 24); // claim 16 kHz
            File.WriteAllBytes(path, bytes);
            Assert.That(() => WavClip.Load(path),
                Throws.TypeOf<InvalidDataException>().With.Message.Contains(path).And.Message.Contains("16000 Hz"));
            File.WriteAllText(path, "not audio");
            Assert.That(() => WavClip.Load(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("not a WAV"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void The_shipped_prompts_and_hold_music_load_and_are_audible()
    {
        var library = new SoundLibrary(Path.Combine(Hotline.TestSupport.RepoPaths.Root, "sounds"));
        foreach (var language in new[] { "en", "zh" })
        {
            var sequence = Drain(library.QueuePosition(language, 12), 2000, out var frames);
            Assert.That(frames, Is.GreaterThan(50), language);
            Assert.That(Rms(sequence), Is.GreaterThan(300), $"{language} prompt sequence is not silent");
        }
        var music = Drain(library.HoldMusic(), 500, out var musicFrames);
        Assert.That(musicFrames, Is.EqualTo(500), "hold music loops forever");
        Assert.That(Rms(music), Is.GreaterThan(300));
    }

    private static double Rms(short[] s) => Math.Sqrt(s.Average(x => (double)x * x));
}
