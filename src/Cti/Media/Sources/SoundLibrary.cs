using System.Collections.Concurrent;
using System.Globalization;

namespace Hotline.Cti.Media.Sources;

/// <summary>
/// The shipped prompts and hold music (<c>sounds/{language}/{name}.wav</c>, <c>sounds/moh/*.wav</c>), loaded once
/// and shared. Builds the sources the ACD plays: a prompt, hold music, "you are number" + digits.
/// </summary>
public sealed class SoundLibrary(string root)
{
    private readonly ConcurrentDictionary<string, WavClip> _clips = new(StringComparer.Ordinal);

    public string Root { get; } = root;

    /// <summary>A prompt clip, e.g. <c>Prompt("en", "welcome")</c>. Throws naming the file if missing or malformed.</summary>
    public WavClip Prompt(string language, string name) => Clip(Path.Combine(Root, language, name + ".wav"));

    /// <summary>Loads (once) any WAV file.</summary>
    public WavClip Clip(string path) => _clips.GetOrAdd(Path.GetFullPath(path), WavClip.Load);

    /// <summary>Endless hold music from every <c>moh/*.wav</c>, starting at clip <paramref name="start"/>.</summary>
    public PlaylistSource HoldMusic(int start = 0)
    {
        var folder = Path.Combine(Root, "moh");
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.wav") : [];
        if (files.Length == 0) throw new InvalidDataException($"{folder}: no hold music (*.wav); run tools/prompts/generate.sh.");
        Array.Sort(files, StringComparer.Ordinal);
        return new PlaylistSource([.. files.Select(Clip)], loop: true, start);
    }

    /// <summary>"You are number" + the position spoken digit by digit (+ "in the queue").</summary>
    public SequenceSource QueuePosition(string language, int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        var parts = new List<IAudioSource> { new WavPlayer(Prompt(language, "you-are-number")) };
        foreach (var digit in position.ToString(CultureInfo.InvariantCulture))
            parts.Add(new WavPlayer(Prompt(language, "digit-" + digit)));
        parts.Add(new WavPlayer(Prompt(language, "in-queue")));
        return new SequenceSource(parts);
    }
}
