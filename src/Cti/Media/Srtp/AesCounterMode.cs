using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hotline.Cti.Media.Srtp;

/// <summary>
/// AES in counter mode as SRTP uses it (RFC 3711 §4.1.1): the keystream is AES-ECB of the counter blocks
/// IV, IV+1, … (the counter is the IV's low 16 bits), XORed onto the data. .NET has no CTR mode, so the counter
/// blocks are written into a preallocated buffer and encrypted in one ECB call per packet: nothing is allocated
/// per packet. One owner thread; not thread-safe.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    /// <summary>Largest data one call encrypts: a jumbo UDP datagram (RFC 3711 allows 2^16 blocks; we need far fewer).</summary>
    public const int MaxLength = 2048;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[MaxLength];
    private readonly byte[] _keystream = new byte[MaxLength];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>XORs the keystream that starts at counter block <paramref name="iv"/> onto <paramref name="data"/>.</summary>
    public void Apply(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        if (data.Length > MaxLength) throw new ArgumentException($"AES-CM data is at most {MaxLength} bytes.", nameof(data));
        var blocks = (data.Length + 15) / 16;
        if (blocks == 0) return;
        WriteCounters(iv, blocks);
        _ecb.TransformBlock(_counters, 0, blocks * 16, _keystream, 0);
        Xor(data, _keystream.AsSpan(0, data.Length));
    }

    /// <summary>The raw keystream (for the RFC 3711 §B.2 vectors and key derivation).</summary>
    public void Keystream(ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        destination.Clear();
        Apply(iv, destination);
    }

    private void WriteCounters(ReadOnlySpan<byte> iv, int blocks)
    {
        var counters = _counters.AsSpan(0, blocks * 16);
        var low = BinaryPrimitives.ReadUInt16BigEndian(iv[14..]);
        for (var i = 0; i < blocks; i++)
        {
            var block = counters.Slice(i * 16, 16);
            iv[..14].CopyTo(block);
            // RFC 3711 §4.1.1: the counter is incremented modulo 2^16 in the block's low 16 bits.
            BinaryPrimitives.WriteUInt16BigEndian(block[14..], (ushort)(low + i));
        }
    }

    private static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            var x = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(keystream[i..]);
            BinaryPrimitives.WriteUInt64LittleEndian(data[i..], x);
        }
        for (; i < data.Length; i++) data[i] ^= keystream[i];
    }

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_keystream);
    }
}
