using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using Hotline.Cti.Media;

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

    public IAudioSource HoldMusic()
    {
        _moh ??= LoadHoldMusic();
        return new PcmSource(_moh, loop: true);
    }

    public IAudioSource Position(int position)
    {
        var clips = new List<short[]> { Load(Path.Combine(root, language, PromptNames.QueuePosition + ".wav")) };
        foreach (var digit in position.ToString(CultureInfo.InvariantCulture))
            clips.Add(Load(Path.Combine(root, language, "digits", digit + ".wav")));
        return new PcmSource(clips, loop: false);
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
            return WavFile.ReadPcm8kMono(File.ReadAllBytes(p));
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

/// <summary>RIFF/WAVE reader for the one format the engine plays (8 kHz, 16-bit, mono PCM).</summary>
public static class WavFile
{
    public static short[] ReadPcm8kMono(ReadOnlySpan<byte> file)
    {
        if (file.Length < 12 || !file[..4].SequenceEqual("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw new InvalidDataException("not a RIFF/WAVE file");
        var pos = 12;
        var formatOk = false;
        while (pos + 8 <= file.Length)
        {
            var id = file.Slice(pos, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(pos + 4, 4)), (uint)(file.Length - pos - 8));
            var body = file.Slice(pos + 8, size);
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16) throw new InvalidDataException("fmt chunk too short");
                var format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                var channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                var rate = BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
                var bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (format != 1 || channels != 1 || rate != AudioFormat.SampleRate || bits != 16)
                    throw new InvalidDataException($"unsupported format {format}, {channels} ch, {rate} Hz, {bits} bit (need PCM 8 kHz 16-bit mono)");
                formatOk = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!formatOk) throw new InvalidDataException("data before fmt");
                var samples = new short[size / 2];
                for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(body[(i * 2)..]);
                return samples;
            }
            pos += 8 + size + (size & 1);
        }
        throw new InvalidDataException("no data chunk");
    }
}
