using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Hotline.Cti.Media.Srtp;

/// <summary>
/// AES in counter mode as SRTP uses it (RFC 3711 §4.1.1): the keystream is AES-ECB of the counter blocks
/// IV, IV+1, … (the counter is the IV's low 16 bits), XORed onto the data. .NET has no CTR mode, so the counter
/// blocks are written into a preallocated buffer and encrypted in one ECB call per packet: nothing is allocated
/// per packet. Where the CPU has AES instructions (x86 AES-NI, through .NET's hardware intrinsics) the blocks are
/// encrypted with them directly, four at a time: a 20 ms G.711 packet is 11 blocks, and the call into OpenSSL behind
/// <see cref="ICryptoTransform"/> costs several times the encryption itself. Both paths are checked against the
/// RFC 3711 §B.2 vectors and each other. One owner thread; not thread-safe.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    /// <summary>Largest data one call encrypts: a jumbo UDP datagram (RFC 3711 allows 2^16 blocks; we need far fewer).</summary>
    public const int MaxLength = 2048;

    private readonly System.Security.Cryptography.Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly Vector128<byte>[]? _roundKeys;
    private readonly byte[] _counters = new byte[MaxLength];
    private readonly byte[] _keystream = new byte[MaxLength];

    public AesCounterMode(ReadOnlySpan<byte> key, bool useAesInstructions = true)
    {
        if (useAesInstructions && X86Aes.IsSupported && key.Length == 16) _roundKeys = ExpandKey128(key);
        _aes = System.Security.Cryptography.Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>XORs the keystream that starts at counter block <paramref name="iv"/> onto <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        if (data.Length > MaxLength) throw new ArgumentException($"AES-CM data is at most {MaxLength} bytes.", nameof(data));
        var blocks = (data.Length + 15) / 16;
        if (blocks == 0) return;
        WriteCounters(iv, blocks);
        if (_roundKeys is not null) EncryptBlocks(_roundKeys, blocks);
        else _ecb.TransformBlock(_counters, 0, blocks * 16, _keystream, 0);
        Xor(data, _keystream.AsSpan(0, data.Length));
    }

    /// <summary>Whether this instance uses the CPU's AES instructions (else .NET's AES-ECB transform).</summary>
    public bool UsesAesInstructions => _roundKeys is not null;

    // FIPS 197 with AES-NI: the counter blocks → keystream, four blocks interleaved so the AES unit's latency overlaps.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EncryptBlocks(Vector128<byte>[] k, int blocks)
    {
        var input = _counters.AsSpan(0, blocks * 16);
        var output = _keystream.AsSpan(0, blocks * 16);
        var i = 0;
        for (; i + 4 <= blocks; i += 4)
        {
            var b0 = Sse2.Xor(Vector128.Create<byte>(input.Slice(i * 16, 16)), k[0]);
            var b1 = Sse2.Xor(Vector128.Create<byte>(input.Slice((i + 1) * 16, 16)), k[0]);
            var b2 = Sse2.Xor(Vector128.Create<byte>(input.Slice((i + 2) * 16, 16)), k[0]);
            var b3 = Sse2.Xor(Vector128.Create<byte>(input.Slice((i + 3) * 16, 16)), k[0]);
            for (var r = 1; r < 10; r++)
            {
                var rk = k[r];
                b0 = X86Aes.Encrypt(b0, rk);
                b1 = X86Aes.Encrypt(b1, rk);
                b2 = X86Aes.Encrypt(b2, rk);
                b3 = X86Aes.Encrypt(b3, rk);
            }
            X86Aes.EncryptLast(b0, k[10]).CopyTo(output.Slice(i * 16, 16));
            X86Aes.EncryptLast(b1, k[10]).CopyTo(output.Slice((i + 1) * 16, 16));
            X86Aes.EncryptLast(b2, k[10]).CopyTo(output.Slice((i + 2) * 16, 16));
            X86Aes.EncryptLast(b3, k[10]).CopyTo(output.Slice((i + 3) * 16, 16));
        }
        for (; i < blocks; i++)
        {
            var b = Sse2.Xor(Vector128.Create<byte>(input.Slice(i * 16, 16)), k[0]);
            for (var r = 1; r < 10; r++) b = X86Aes.Encrypt(b, k[r]);
            X86Aes.EncryptLast(b, k[10]).CopyTo(output.Slice(i * 16, 16));
        }
    }

    // FIPS 197 §5.2 key expansion for AES-128 (the Intel AES-NI white paper's sequence; AESKEYGENASSIST needs a
    // constant round constant, hence one call per round).
    private static Vector128<byte>[] ExpandKey128(ReadOnlySpan<byte> key)
    {
        var k = new Vector128<byte>[11];
        k[0] = Vector128.Create<byte>(key);
        k[1] = NextRoundKey(k[0], X86Aes.KeygenAssist(k[0], 0x01));
        k[2] = NextRoundKey(k[1], X86Aes.KeygenAssist(k[1], 0x02));
        k[3] = NextRoundKey(k[2], X86Aes.KeygenAssist(k[2], 0x04));
        k[4] = NextRoundKey(k[3], X86Aes.KeygenAssist(k[3], 0x08));
        k[5] = NextRoundKey(k[4], X86Aes.KeygenAssist(k[4], 0x10));
        k[6] = NextRoundKey(k[5], X86Aes.KeygenAssist(k[5], 0x20));
        k[7] = NextRoundKey(k[6], X86Aes.KeygenAssist(k[6], 0x40));
        k[8] = NextRoundKey(k[7], X86Aes.KeygenAssist(k[7], 0x80));
        k[9] = NextRoundKey(k[8], X86Aes.KeygenAssist(k[8], 0x1B));
        k[10] = NextRoundKey(k[9], X86Aes.KeygenAssist(k[9], 0x36));
        return k;
    }

    private static Vector128<byte> NextRoundKey(Vector128<byte> key, Vector128<byte> assist)
    {
        var t = Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();
        key = Sse2.Xor(key, Sse2.ShiftLeftLogical128BitLane(key, 4));
        key = Sse2.Xor(key, Sse2.ShiftLeftLogical128BitLane(key, 4));
        key = Sse2.Xor(key, Sse2.ShiftLeftLogical128BitLane(key, 4));
        return Sse2.Xor(key, t);
    }

    /// <summary>The raw keystream (for the RFC 3711 §B.2 vectors and key derivation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Keystream(ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        destination.Clear();
        Apply(iv, destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        if (_roundKeys is not null) Array.Clear(_roundKeys);
        CryptographicOperations.ZeroMemory(_keystream);
    }
}
