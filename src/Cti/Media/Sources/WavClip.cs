using System.Buffers.Binary;
using Hotline.Cti.Media.Codecs;

namespace Hotline.Cti.Media.Sources;

/// <summary>
/// A WAV file's samples loaded once and shared read-only by every player (2,000 callers on hold share one copy).
/// Only 8 kHz, 16-bit, mono PCM is accepted; anything else is refused with a message naming the file and what it
/// is, so an operator can convert it (<c>sox in.wav -r 8000 -c 1 -b 16 out.wav</c>).
/// </summary>
public sealed class WavClip
{
    private readonly byte[] _ulaw;
    private readonly byte[] _alaw;

    private WavClip(string name, short[] samples)
    {
        Name = name;
        Samples = samples;
        // Encoded once here, off the clock threads: players send these bytes instead of encoding every frame.
        _ulaw = new byte[samples.Length];
        _alaw = new byte[samples.Length];
        G711.Encode(G711Law.Ulaw, samples, _ulaw);
        G711.Encode(G711Law.Alaw, samples, _alaw);
    }

    /// <summary>The file the clip came from (for logs and errors).</summary>
    public string Name { get; }

    public ReadOnlyMemory<short> Samples { get; }

    /// <summary>The samples as G.711 codes of <paramref name="law"/> (one byte per sample, same positions).</summary>
    public ReadOnlySpan<byte> Encoded(G711Law law) => law == G711Law.Ulaw ? _ulaw : _alaw;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / AudioFormat.SampleRate);

    /// <summary>Makes a clip from samples already in the engine format (tests, generated audio).</summary>
    public static WavClip FromSamples(string name, short[] samples) => new(name, samples);

    /// <summary>Loads and validates a WAV file. Throws <see cref="InvalidDataException"/> naming the file on bad input.</summary>
    public static WavClip Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read the sound file ({ex.Message}).", ex);
        }
        return new WavClip(path, Parse(path, bytes));
    }

    // RIFF/WAVE: "RIFF" size "WAVE", then chunks; we need "fmt " before "data".
    private static short[] Parse(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes[8..12].SequenceEqual("WAVE"u8))
            throw new InvalidDataException($"{path}: not a WAV file (no RIFF/WAVE header); expected 8 kHz 16-bit mono PCM WAV.");
        var offset = 12;
        var haveFormat = false;
        while (offset + 8 <= bytes.Length)
        {
            var id = bytes.Slice(offset, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes[(offset + 4)..]), int.MaxValue);
            var body = offset + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > bytes.Length)
                    throw new InvalidDataException($"{path}: truncated fmt chunk; expected 8 kHz 16-bit mono PCM WAV.");
                var fmt = bytes.Slice(body, 16);
                var formatTag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                var rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
                var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
                // 0xFFFE (WAVE_FORMAT_EXTENSIBLE) is accepted when its fields describe plain PCM.
                if ((formatTag != 1 && formatTag != 0xFFFE) || channels != 1 || rate != AudioFormat.SampleRate || bits != 16)
                {
                    var kind = formatTag switch { 1 or 0xFFFE => "PCM", 3 => "IEEE float", 6 => "A-law", 7 => "μ-law", _ => $"format {formatTag}" };
                    throw new InvalidDataException(
                        $"{path}: is {kind}, {rate} Hz, {bits}-bit, {channels} channel(s); expected 8000 Hz 16-bit mono PCM " +
                        "(convert with: sox in.wav -r 8000 -c 1 -b 16 out.wav).");
                }
                haveFormat = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!haveFormat)
                    throw new InvalidDataException($"{path}: data chunk before fmt chunk; expected 8 kHz 16-bit mono PCM WAV.");
                var length = Math.Min(size, bytes.Length - body) & ~1; // a truncated file plays what it has
                var samples = new short[length / 2];
                for (var i = 0; i < samples.Length; i++)
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes[(body + (2 * i))..]);
                return samples;
            }
            offset = body + size + (size & 1); // chunks are word-aligned
        }
        throw new InvalidDataException($"{path}: no data chunk; expected 8 kHz 16-bit mono PCM WAV.");
    }
}
