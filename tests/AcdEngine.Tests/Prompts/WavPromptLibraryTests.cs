using Hotline.AcdEngine.Prompts;
using Hotline.Cti.Media;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.AcdEngine.Tests.Prompts;

/// <summary>The minimal WAV prompt library reads real 8 kHz prompts and hold music and degrades to silence.</summary>
[TestFixture]
public sealed class WavPromptLibraryTests
{
    private string _root = "";

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "acd-sounds-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_root, "en"));
        Directory.CreateDirectory(Path.Combine(_root, "moh"));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static byte[] Wav(int samples, short value, int rate = 8000, short channels = 1)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write(36 + samples * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write(channels); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(samples * 2);
        for (var i = 0; i < samples; i++) w.Write(value);
        return ms.ToArray();
    }

    private static int Frames(IAudioSource source, int cap = 1000)
    {
        var frame = new short[AudioFormat.SamplesPerFrame];
        for (var i = 0; i < cap; i++) if (!source.ReadFrame(frame)) return i;
        return cap;
    }

    [Test]
    public void A_prompt_plays_its_samples_for_its_length_then_ends()
    {
        File.WriteAllBytes(Path.Combine(_root, "en", "greeting.wav"), Wav(8000, 1234));
        var library = new WavPromptLibrary(_root, "en", NullLogger<WavPromptLibrary>.Instance);
        var source = library.Prompt("greeting");
        var frame = new short[AudioFormat.SamplesPerFrame];
        Assert.That(source.ReadFrame(frame), Is.True);
        Assert.That(frame, Is.All.EqualTo((short)1234));
        Assert.That(Frames(source), Is.EqualTo(49), "1 s = 50 frames, one already read");
    }

    [Test]
    public void The_trainee_greeting_is_its_opening_the_agent_number_digit_by_digit_and_its_end()
    {
        // One frame per piece, each a different level, so the frames read back name the pieces in order.
        File.WriteAllBytes(Path.Combine(_root, "en", "greeting-trainee.wav"), Wav(AudioFormat.SamplesPerFrame, 100));
        File.WriteAllBytes(Path.Combine(_root, "en", "greeting-trainee-end.wav"), Wav(AudioFormat.SamplesPerFrame, 200));
        for (short d = 0; d <= 9; d++)
            File.WriteAllBytes(Path.Combine(_root, "en", $"digit-{d}.wav"), Wav(AudioFormat.SamplesPerFrame, (short)(10 + d)));
        var library = new WavPromptLibrary(_root, "en", NullLogger<WavPromptLibrary>.Instance);

        Assert.Multiple(() =>
        {
            Assert.That(Levels(library.TraineeGreeting("1001")), Is.EqualTo(new short[] { 100, 11, 10, 10, 11, 200 }));
            Assert.That(Levels(library.TraineeGreeting("0070")), Is.EqualTo(new short[] { 100, 10, 10, 17, 10, 200 }));
        });
    }

    private static List<short> Levels(IAudioSource source)
    {
        var frame = new short[AudioFormat.SamplesPerFrame];
        var levels = new List<short>();
        while (levels.Count < 100 && source.ReadFrame(frame)) levels.Add(frame[0]);
        return levels;
    }

    [Test]
    public void Hold_music_loops_without_end()
    {
        File.WriteAllBytes(Path.Combine(_root, "moh", "a.wav"), Wav(800, 7));
        var library = new WavPromptLibrary(_root, "en", NullLogger<WavPromptLibrary>.Instance);
        Assert.That(Frames(library.HoldMusic()), Is.EqualTo(1000));
    }

    [Test]
    public void A_missing_or_wrong_format_file_is_silence_not_a_crash()
    {
        File.WriteAllBytes(Path.Combine(_root, "en", "stereo.wav"), Wav(800, 7, channels: 2));
        File.WriteAllBytes(Path.Combine(_root, "en", "wideband.wav"), Wav(800, 7, rate: 16000));
        var library = new WavPromptLibrary(_root, "en", NullLogger<WavPromptLibrary>.Instance);
        Assert.That(Frames(library.Prompt("nothing-here")), Is.Zero);
        Assert.That(Frames(library.Prompt("stereo")), Is.Zero);
        Assert.That(Frames(library.Prompt("wideband")), Is.Zero);
        Assert.That(Frames(library.HoldMusic()), Is.Zero, "no music files: silence rather than a spin");
    }

    [Test]
    public void Real_asterisk_prompts_at_8_kHz_are_read()
    {
        const string asterisk = "/usr/share/asterisk/sounds/en/agent-loginok.wav";
        if (!File.Exists(asterisk)) Assert.Ignore("asterisk prompts not installed");
        var samples = Hotline.Cti.Media.Sources.WavClip.Load(asterisk).Samples.ToArray();
        Assert.That(samples.Length, Is.GreaterThan(4000));
        Assert.That(samples.Any(s => s != 0), Is.True);
    }
}
