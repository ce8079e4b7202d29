using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hotline.Cti.Media.Srtp;

/// <summary>
/// The SRTCP crypto context of one direction (RFC 3711 §3.4): everything after the first 8 bytes (header and
/// sender SSRC) is encrypted, then E-flag||SRTCP index and an 80-bit tag are appended. Explicit index, so no
/// estimation; replays are refused with the same 64-entry window as SRTP. Allocation-free; one owner thread.
/// </summary>
public sealed class SrtcpContext : IDisposable
{
    private const int ClearLength = 8;
    private const int IndexLength = 4;
    private const uint EncryptedFlag = 0x8000_0000;
    private readonly int _tagLength;
    private readonly AesCounterMode _cipher;
    private readonly IncrementalHash _auth;
    private readonly byte[] _salt = new byte[SrtpMasterKey.SaltLength];
    private readonly byte[] _iv = new byte[16];
    private readonly byte[] _mac = new byte[20];
    private uint _nextIndex;
    private SrtpReplayWindow _window;

    public SrtcpContext(SrtpSuite suite, SrtpMasterKey master)
    {
        _tagLength = suite.RtcpTagLength();
        Span<byte> key = stackalloc byte[SrtpMasterKey.KeyLength];
        Span<byte> authKey = stackalloc byte[20];
        SrtpKeyDerivation.Derive(master.Key, master.Salt, SrtpKeyDerivation.RtcpEncryption, key);
        SrtpKeyDerivation.Derive(master.Key, master.Salt, SrtpKeyDerivation.RtcpAuthentication, authKey);
        SrtpKeyDerivation.Derive(master.Key, master.Salt, SrtpKeyDerivation.RtcpSalt, _salt);
        _cipher = new AesCounterMode(key);
        _auth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, authKey);
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(authKey);
    }

    /// <summary>Bytes SRTCP adds: the E||index word and the tag.</summary>
    public int Overhead => IndexLength + _tagLength;

    /// <summary>Encrypts the compound RTCP packet in place and appends E||index and the tag; returns the new length.</summary>
    public int Protect(Span<byte> buffer, int length)
    {
        if (length < ClearLength) throw new ArgumentException("Not an RTCP packet.", nameof(buffer));
        var index = _nextIndex;
        _nextIndex = (_nextIndex + 1) & 0x7FFF_FFFF; // RFC 3711 §3.4: 31-bit index
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        WriteIv(ssrc, index);
        _cipher.Apply(_iv, buffer[ClearLength..length]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], EncryptedFlag | index);
        var authenticated = length + IndexLength;
        ComputeTag(buffer[..authenticated]);
        _mac.AsSpan(0, _tagLength).CopyTo(buffer[authenticated..]);
        return authenticated + _tagLength;
    }

    /// <summary>Checks and decrypts an SRTCP packet in place; <paramref name="length"/> is the RTCP length.</summary>
    public SrtpUnprotectResult Unprotect(Span<byte> buffer, out int length)
    {
        length = 0;
        var authenticated = buffer.Length - _tagLength;
        var rtcpLength = authenticated - IndexLength;
        if (rtcpLength < ClearLength || buffer[0] >> 6 != 2) return SrtpUnprotectResult.Malformed;
        var word = BinaryPrimitives.ReadUInt32BigEndian(buffer[rtcpLength..]);
        var index = word & 0x7FFF_FFFF;
        if (!_window.IsFresh(index)) return SrtpUnprotectResult.Replayed;
        ComputeTag(buffer[..authenticated]);
        if (!CryptographicOperations.FixedTimeEquals(_mac.AsSpan(0, _tagLength), buffer.Slice(authenticated, _tagLength)))
            return SrtpUnprotectResult.AuthenticationFailed;
        if ((word & EncryptedFlag) != 0)
        {
            WriteIv(BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]), index);
            _cipher.Apply(_iv, buffer[ClearLength..rtcpLength]);
        }
        _window.Accept(index);
        length = rtcpLength;
        return SrtpUnprotectResult.Ok;
    }

    // RFC 3711 §4.1.1 with i = the SRTCP index.
    private void WriteIv(uint ssrc, uint index)
    {
        var iv = _iv.AsSpan();
        _salt.CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(iv[4..], BinaryPrimitives.ReadUInt32BigEndian(iv[4..]) ^ ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(iv[10..], BinaryPrimitives.ReadUInt32BigEndian(iv[10..]) ^ index);
    }

    private void ComputeTag(ReadOnlySpan<byte> authenticated)
    {
        _auth.AppendData(authenticated);
        _auth.GetHashAndReset(_mac);
    }

    public void Dispose()
    {
        _cipher.Dispose();
        _auth.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
