using Hotline.Cti.Media;
using Hotline.Cti.Media.Sources;

namespace Hotline.Cti.Tests.Media.Sources;

/// <summary>
/// The one prompt library, as the ACD uses it (<see cref="IPromptLibrary"/>): real 8 kHz prompts, hold music, the
/// position and trainee sequences; a file it cannot play is silence, never an exception at a caller.
/// </summary>
[TestFixture]
public sealed class SoundLibraryTests
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
        var library = new SoundLibrary(_root, "en");
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
        var library = new SoundLibrary(_root, "en");

        Assert.Multiple(() =>
        {
            Assert.That(Levels(library.TraineeGreeting("1001")), Is.EqualTo(new short[] { 100, 11, 10, 10, 11, 200 }));
            Assert.That(Levels(library.TraineeGreeting("0070")), Is.EqualTo(new short[] { 100, 10, 10, 17, 10, 200 }));
        });
    }

    [Test]
    public void The_position_is_said_digit_by_digit_then_the_expected_wait_in_minutes_or_less_than_one_minute()
    {
        Piece("you-are-number", 100);
        Piece("in-queue", 200);
        Piece("expected-wait", 300);
        Piece("expected-wait-short", 400);
        Piece("minute", 500);
        Piece("minutes", 600);
        for (short d = 0; d <= 9; d++) Piece($"digit-{d}", (short)(10 + d));
        var library = new SoundLibrary(_root, "en");

        Assert.Multiple(() =>
        {
            Assert.That(Levels(library.Position(12)), Is.EqualTo(new short[] { 100, 11, 12, 200 }));
            Assert.That(Levels(library.Position(3, 0)), Is.EqualTo(new short[] { 100, 13, 200, 400 }));
            Assert.That(Levels(library.Position(3, 1)), Is.EqualTo(new short[] { 100, 13, 200, 300, 11, 500 }));
            Assert.That(Levels(library.Position(3, 15)), Is.EqualTo(new short[] { 100, 13, 200, 300, 11, 15, 600 }));
        });
    }

    [Test]
    public void A_prompt_replaced_on_disk_plays_anew_after_forget_loaded_and_not_before()
    {
        Piece("greeting", 1);
        var library = new SoundLibrary(_root, "en");
        Assert.That(Levels(library.Prompt("greeting")), Is.EqualTo(new short[] { 1 }));
        Piece("greeting", 2);
        Assert.That(Levels(library.Prompt("greeting")), Is.EqualTo(new short[] { 1 }), "loaded once, shared by every caller");
        library.ForgetLoaded();
        Assert.That(Levels(library.Prompt("greeting")), Is.EqualTo(new short[] { 2 }));
    }

    [Test]
    public void Prompts_are_sent_as_g711_encoded_once_not_per_frame()
    {
        Piece("greeting", 1234);
        var library = new SoundLibrary(_root, "en");
        Assert.That(library.Prompt("greeting"), Is.InstanceOf<IEncodedFrameSource>());
        File.WriteAllBytes(Path.Combine(_root, "moh", "a.wav"), Wav(800, 7));
        Assert.That(library.HoldMusic(), Is.InstanceOf<IEncodedFrameSource>());
    }

    /// <summary>A one-frame prompt at one level, so that the frames read back name the pieces in order.</summary>
    private void Piece(string name, short level) =>
        File.WriteAllBytes(Path.Combine(_root, "en", name + ".wav"), Wav(AudioFormat.SamplesPerFrame, level));

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
        var library = new SoundLibrary(_root, "en");
        Assert.That(Frames(library.HoldMusic()), Is.EqualTo(1000));
    }

    [Test]
    public void A_missing_or_wrong_format_file_is_silence_not_a_crash()
    {
        File.WriteAllBytes(Path.Combine(_root, "en", "stereo.wav"), Wav(800, 7, channels: 2));
        File.WriteAllBytes(Path.Combine(_root, "en", "wideband.wav"), Wav(800, 7, rate: 16000));
        var library = new SoundLibrary(_root, "en");
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
        var samples = WavClip.Load(asterisk).Samples.ToArray();
        Assert.That(samples.Length, Is.GreaterThan(4000));
        Assert.That(samples.Any(s => s != 0), Is.True);
    }
}
