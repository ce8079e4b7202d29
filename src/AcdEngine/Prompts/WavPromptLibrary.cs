using System.Collections.Concurrent;
using System.Globalization;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Sources;

namespace Hotline.AcdEngine.Prompts;

/// <summary>
/// Minimal prompt library over a sounds folder: <c>&lt;root&gt;/&lt;lang&gt;/&lt;name&gt;.wav</c> and
/// <c>&lt;root&gt;/moh/*.wav</c>, 8 kHz 16-bit mono PCM only, cached in memory. A missing or unsupported file plays
/// as silence and is logged once.
/// </summary>
public sealed partial class WavPromptLibrary(string root, string language, ILogger<WavPromptLibrary> logger) : IPromptLibrary
{
    private readonly ConcurrentDictionary<string, short[]> _cache = new(StringComparer.Ordinal);
    private IReadOnlyList<short[]>? _moh;

    public IAudioSource Prompt(string name) => new PcmSource([Load(Path.Combine(root, language, name + ".wav"))], loop: false);

    /// <inheritdoc />
    public void ForgetLoaded()
    {
        _cache.Clear();
        _moh = null;
    }

    public IAudioSource HoldMusic()
    {
        _moh ??= LoadHoldMusic();
        return new PcmSource(_moh, loop: true);
    }

    public IAudioSource Position(int position, int? expectedWaitMinutes = null)
    {
        var clips = new List<short[]> { Clip(PromptNames.QueuePosition) };
        AddNumber(clips, position);
        clips.Add(Clip(PromptNames.InQueue));
        if (expectedWaitMinutes is 0) clips.Add(Clip(PromptNames.ExpectedWaitShort));
        else if (expectedWaitMinutes is { } minutes)
        {
            clips.Add(Clip(PromptNames.ExpectedWait));
            AddNumber(clips, minutes);
            clips.Add(Clip(minutes == 1 ? PromptNames.Minute : PromptNames.Minutes));
        }
        return new PcmSource(clips, loop: false);
    }

    public IAudioSource TraineeGreeting(string agentNumber)
    {
        var clips = new List<short[]> { Clip(PromptNames.TraineeGreeting) };
        AddDigits(clips, agentNumber);
        clips.Add(Clip(PromptNames.TraineeGreetingEnd));
        return new PcmSource(clips, loop: false);
    }

    private short[] Clip(string name) => Load(Path.Combine(root, language, name + ".wav"));

    /// <summary>A number read digit by digit ("one two"), as the queue position always was.</summary>
    private void AddNumber(List<short[]> clips, int number)
    {
        AddDigits(clips, number.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Digits one by one; an agent number keeps its leading zeros ("0 0 7").</summary>
    private void AddDigits(List<short[]> clips, string digits)
    {
        foreach (var digit in digits)
            if (char.IsAsciiDigit(digit)) clips.Add(Clip("digit-" + digit));
    }

    private List<short[]> LoadHoldMusic()
    {
        var folder = Path.Combine(root, "moh");
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.wav").Order(StringComparer.Ordinal).ToList() : [];
        var clips = files.Select(Load).Where(c => c.Length > 0).ToList();
        if (clips.Count == 0) LogMissing(logger, folder, "no playable hold music");
        return clips;
    }

    private short[] Load(string path) => _cache.GetOrAdd(path, p =>
    {
        try
        {
            return WavClip.Load(p).Samples.ToArray(); // the media core's reader: 8 kHz 16-bit mono only, errors name the file
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            LogMissing(logger, p, ex.Message);
            return [];
        }
    });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Prompt {Path} cannot be played ({Reason}); callers hear silence instead")]
    private static partial void LogMissing(ILogger logger, string path, string reason);
}
