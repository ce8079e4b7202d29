using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Media.Sources;

/// <summary>
/// The one prompt library: the shipped prompts and hold music (<c>sounds/{language}/{name}.wav</c>,
/// <c>sounds/moh/*.wav</c>, 8 kHz 16-bit mono PCM), each file loaded once and shared by every caller, G.711 encoded
/// once (<see cref="WavClip"/>). As the ACD's <see cref="IPromptLibrary"/> it speaks <see cref="Language"/> and never
/// throws at a caller: a missing or unsupported file plays as silence and is logged once (until
/// <see cref="ForgetLoaded"/>). <see cref="Clip(string)"/>, <see cref="Prompt(string, string)"/> and
/// <see cref="HoldMusic(int)"/> are strict instead (tools and benchmarks): they throw naming the file.
/// </summary>
public sealed partial class SoundLibrary(string root, string language = "en", ILogger<SoundLibrary>? logger = null) : IPromptLibrary
{
    // File names the library composes itself (sounds/README, tools/prompts/generate.sh).
    private const string YouAreNumber = "you-are-number";
    private const string InQueue = "in-queue";
    private const string ExpectedWait = "expected-wait";
    private const string ExpectedWaitShort = "expected-wait-short";
    private const string Minute = "minute";
    private const string Minutes = "minutes";
    private const string TraineeOpening = "greeting-trainee";
    private const string TraineeEnd = "greeting-trainee-end";

    private static readonly WavClip Nothing = WavClip.FromSamples("(silence)", []);
    private readonly ConcurrentDictionary<string, WavClip> _clips = new(StringComparer.Ordinal);
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private WavClip[]? _holdMusic;

    public string Root { get; } = root;

    /// <summary>The language of <see cref="IPromptLibrary"/>'s prompts (a folder under <see cref="Root"/>).</summary>
    public string Language { get; } = language;

    /// <summary>A prompt clip, e.g. <c>Prompt("en", "welcome")</c>. Throws naming the file if missing or malformed.</summary>
    public WavClip Prompt(string language, string name) => Clip(Path.Combine(Root, language, name + ".wav"));

    /// <summary>Loads (once) any WAV file. Throws <see cref="InvalidDataException"/> naming the file if missing or malformed.</summary>
    public WavClip Clip(string path) => _clips.GetOrAdd(Path.GetFullPath(path), WavClip.Load);

    /// <summary>Endless hold music from every <c>moh/*.wav</c>, starting at clip <paramref name="start"/>; throws when there is none.</summary>
    public PlaylistSource HoldMusic(int start)
    {
        var files = HoldMusicFiles(out var folder);
        if (files.Length == 0) throw new InvalidDataException($"{folder}: no hold music (*.wav); run tools/prompts/generate.sh.");
        return new PlaylistSource([.. files.Select(Clip)], loop: true, start);
    }

    /// <summary>"You are number" + the position spoken digit by digit + "in the queue", in <paramref name="language"/>.</summary>
    public SequenceSource QueuePosition(string language, int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        var parts = new List<IAudioSource> { new WavPlayer(Prompt(language, YouAreNumber)) };
        foreach (var digit in position.ToString(CultureInfo.InvariantCulture))
            parts.Add(new WavPlayer(Prompt(language, "digit-" + digit)));
        parts.Add(new WavPlayer(Prompt(language, InQueue)));
        return new SequenceSource(parts);
    }

    /// <inheritdoc />
    public IAudioSource Prompt(string name) => new WavPlayer(Playable(name));

    /// <inheritdoc />
    public IAudioSource HoldMusic()
    {
        var clips = _holdMusic ??= LoadHoldMusic();
        // No playable music: a source that ends at once (the caller hears silence), never an empty loop that spins.
        return clips.Length == 0 ? new SequenceSource([]) : new PlaylistSource(clips, loop: true);
    }

    /// <inheritdoc />
    public IAudioSource Position(int position, int? expectedWaitMinutes = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        var parts = new List<IAudioSource> { Prompt(YouAreNumber) };
        AddDigits(parts, position.ToString(CultureInfo.InvariantCulture));
        parts.Add(Prompt(InQueue));
        if (expectedWaitMinutes is 0) parts.Add(Prompt(ExpectedWaitShort));
        else if (expectedWaitMinutes is { } minutes)
        {
            parts.Add(Prompt(ExpectedWait));
            AddDigits(parts, minutes.ToString(CultureInfo.InvariantCulture)); // digit by digit, as the position always was
            parts.Add(Prompt(minutes == 1 ? Minute : Minutes));
        }
        return new SequenceSource(parts);
    }

    /// <inheritdoc />
    public IAudioSource TraineeGreeting(string agentNumber)
    {
        var parts = new List<IAudioSource> { Prompt(TraineeOpening) };
        AddDigits(parts, agentNumber); // an agent number keeps its leading zeros ("0 0 7")
        parts.Add(Prompt(TraineeEnd));
        return new SequenceSource(parts);
    }

    /// <inheritdoc />
    public void ForgetLoaded()
    {
        _clips.Clear();
        _holdMusic = null;
    }

    private void AddDigits(List<IAudioSource> parts, string digits)
    {
        foreach (var digit in digits)
            if (char.IsAsciiDigit(digit)) parts.Add(Prompt("digit-" + digit));
    }

    /// <summary>The prompt's clip, or an empty one (silence) when the file cannot be played, logged once.</summary>
    private WavClip Playable(string name) => Playable(Path.Combine(Root, Language, name + ".wav"), "prompt");

    private WavClip Playable(string path, string what) => _clips.GetOrAdd(Path.GetFullPath(path), p =>
    {
        try
        {
            return WavClip.Load(p);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            LogUnplayable(_logger, what, p, ex.Message);
            return Nothing;
        }
    });

    private WavClip[] LoadHoldMusic()
    {
        var clips = HoldMusicFiles(out var folder).Select(f => Playable(f, "hold music")).Where(c => c.Samples.Length > 0).ToArray();
        if (clips.Length == 0) LogUnplayable(_logger, "hold music", folder, "no playable *.wav");
        return clips;
    }

    private string[] HoldMusicFiles(out string folder)
    {
        folder = Path.Combine(Root, "moh");
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.wav") : [];
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {What} {Path} cannot be played ({Reason}); callers hear silence instead")]
    private static partial void LogUnplayable(ILogger logger, string what, string path, string reason);
}
