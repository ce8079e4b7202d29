using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Hotline.Cti.Media.Recording;

/// <summary>
/// Streams 8 kHz 16-bit mono PCM to a WAV file as it is heard (never holding the call in memory). The header is
/// written with zero sizes first and patched on <see cref="Dispose"/>, so a recording is a valid WAV after close;
/// a crashed process leaves a file whose data is intact and whose sizes a tool like sox can repair.
/// </summary>
public sealed class WavRecorder : IDisposable
{
    private const int HeaderLength = 44;
    private readonly FileStream _file;
    private readonly Lock _gate = new();
    private long _dataBytes;
    private bool _closed;

    public WavRecorder(string path)
    {
        Path = path;
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        // 64 KiB buffer: a write to disk every ~4 s of audio, not every frame.
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);
        Span<byte> header = stackalloc byte[HeaderLength];
        WriteHeader(header, 0);
        _file.Write(header);
    }

    public string Path { get; }

    public TimeSpan Duration => TimeSpan.FromSeconds(Interlocked.Read(ref _dataBytes) / 2.0 / AudioFormat.SampleRate);

    /// <summary>Appends samples (called from the media clock; no allocation).</summary>
    public void Write(ReadOnlySpan<short> samples)
    {
        lock (_gate)
        {
            if (_closed) return;
            if (BitConverter.IsLittleEndian)
            {
                _file.Write(MemoryMarshal.AsBytes(samples));
            }
            else
            {
                Span<byte> le = stackalloc byte[2];
                foreach (var s in samples)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(le, s);
                    _file.Write(le);
                }
            }
            Interlocked.Add(ref _dataBytes, samples.Length * 2);
        }
    }

    /// <summary>Patches the RIFF and data sizes and closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed) return;
            _closed = true;
            Span<byte> header = stackalloc byte[HeaderLength];
            WriteHeader(header, _dataBytes);
            _file.Flush();
            _file.Position = 0;
            _file.Write(header);
            _file.Dispose();
        }
    }

    private static void WriteHeader(Span<byte> h, long dataBytes)
    {
        var data = (uint)Math.Min(dataBytes, uint.MaxValue - HeaderLength);
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], data + HeaderLength - 8);
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], 1); // PCM
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], 1); // mono
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], AudioFormat.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], AudioFormat.SampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], data);
    }
}
