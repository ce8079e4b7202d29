using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Hotline.Cti.Media.Recording;

/// <summary>
/// Streams 8 kHz 16-bit mono PCM to a WAV file as it is heard (never holding the call in memory). The header is
/// written with zero sizes first and patched on <see cref="Dispose"/>, so a recording is a valid WAV after close;
/// a crashed process leaves a file whose data is intact and whose sizes a tool like sox can repair.
/// </summary>
/// <remarks>
/// A write the disk refuses (full, I/O error) stops this recording where it is, never the call: <see cref="Failed"/>
/// turns true, <see cref="WriteFailed"/> is raised once for the recorder (not per packet), later frames are skipped,
/// and <see cref="Dispose"/> still closes the file with the sizes of what was written, if the disk lets it.
/// </remarks>
public sealed class WavRecorder : IDisposable
{
    /// <summary>Raised once per recorder whose writes the disk refused (from the media clock: handlers must be quick).</summary>
    public static event Action<WavRecorder, IOException>? WriteFailed;

    private static long _failures;

    /// <summary>Recordings cut short by a refused write since start (a metric).</summary>
    public static long Failures => Interlocked.Read(ref _failures);

    private const int HeaderLength = 44;
    private readonly FileStream _file;
    private readonly Lock _gate = new();
    private long _dataBytes;
    private bool _closed;
    private volatile bool _failed;

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

    /// <summary>Whether the disk refused a write: the file holds what came before.</summary>
    public bool Failed => _failed;

    public TimeSpan Duration => TimeSpan.FromSeconds(Interlocked.Read(ref _dataBytes) / 2.0 / AudioFormat.SampleRate);

    /// <summary>Appends samples (called from the media clock; no allocation).</summary>
    public void Write(ReadOnlySpan<short> samples)
    {
        lock (_gate)
        {
            if (_closed || _failed) return;
            try
            {
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
            }
            catch (IOException ex)
            {
                Fail(ex);
                return;
            }
            Interlocked.Add(ref _dataBytes, samples.Length * 2);
        }
    }

    private void Fail(IOException ex)
    {
        _failed = true;
        Interlocked.Increment(ref _failures);
        WriteFailed?.Invoke(this, ex);
    }

    /// <summary>Patches the RIFF and data sizes and closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed) return;
            _closed = true;
            Span<byte> header = stackalloc byte[HeaderLength];
            try
            {
                if (!_failed) _file.Flush();
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
            // A refused flush leaves unwritten bytes buffered: the header counts what is really on disk.
            WriteHeader(header, _failed ? Math.Max(0, new FileInfo(Path).Length - HeaderLength) : _dataBytes);
            try
            {
                _file.Position = 0;
                _file.Write(header);
                _file.Dispose();
            }
            catch (IOException)
            {
                // Still refused (the buffered bytes cannot be flushed): the file keeps its data with zero sizes (sox
                // can repair it). Dispose releases the handle even when its flush throws.
                try { _file.Dispose(); }
                catch (IOException) { }
            }
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
