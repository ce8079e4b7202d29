using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Hotline.Cti.Media.Rtp;

namespace Hotline.Cti.Media.Srtp;

/// <summary>
/// The SRTP crypto context of one RTP stream in one direction (RFC 3711 §3.2): session keys derived once from
/// the master key, the rollover counter, and (receiving) the replay window. <see cref="Protect"/> and
/// <see cref="Unprotect"/> work in place and allocate nothing. One owner thread (the clock thread sending, the
/// receive loop receiving).
/// </summary>
public sealed class SrtpContext : IDisposable
{
    private readonly SrtpSuite _suite;
    private readonly int _tagLength;
    private readonly AesCounterMode _cipher;
    private readonly IncrementalHash _auth;
    private readonly byte[] _salt = new byte[SrtpMasterKey.SaltLength];
    private readonly byte[] _iv = new byte[16];
    private readonly byte[] _mac = new byte[20];
    private uint _roc;
    private ushort _lastSentSequence;
    private bool _sentAny;
    private uint _ssrc;
    private SrtpReplayWindow _window;

    public SrtpContext(SrtpSuite suite, SrtpMasterKey master)
    {
        _suite = suite;
        _tagLength = suite.RtpTagLength();
        Span<byte> key = stackalloc byte[SrtpMasterKey.KeyLength];
        Span<byte> authKey = stackalloc byte[20];
        SrtpKeyDerivation.Derive(master.Key, master.Salt, SrtpKeyDerivation.RtpEncryption, key);
        SrtpKeyDerivation.Derive(master.Key, master.Salt, SrtpKeyDerivation.RtpAuthentication, authKey);
        SrtpKeyDerivation.Derive(master.Key, master.Salt, SrtpKeyDerivation.RtpSalt, _salt);
        _cipher = new AesCounterMode(key);
        _auth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, authKey);
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(authKey);
    }

    public SrtpSuite Suite => _suite;

    /// <summary>Bytes SRTP adds to an RTP packet (the tag; we use no MKI).</summary>
    public int Overhead => _tagLength;

    /// <summary>The sender's or receiver's rollover counter (RFC 3711 §3.3.1).</summary>
    public uint RolloverCounter => _roc;

    /// <summary>
    /// RFC 3711 §3.3: encrypts the payload of the RTP packet in <paramref name="buffer"/>[..<paramref name="length"/>]
    /// and appends the tag; returns the SRTP length. The buffer must have <see cref="Overhead"/> bytes to spare.
    /// Packets must be protected in sending order (the ROC follows the sequence numbers).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Protect(Span<byte> buffer, int length)
    {
        var headerLength = HeaderLength(buffer[..length]);
        if (headerLength < 0) throw new ArgumentException("Not an RTP packet.", nameof(buffer));
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        // RFC 3711 §3.3.1: the sender increments the ROC each time the sequence number wraps.
        if (_sentAny && sequence < _lastSentSequence && _lastSentSequence - sequence > 0x8000) _roc++;
        _lastSentSequence = sequence;
        _sentAny = true;
        var index = ((long)_roc << 16) | sequence;
        WriteIv(ssrc, index);
        _cipher.Apply(_iv, buffer[headerLength..length]);
        ComputeTag(buffer, length, _roc);
        _mac.AsSpan(0, _tagLength).CopyTo(buffer[length..]);
        return length + _tagLength;
    }

    /// <summary>
    /// RFC 3711 §3.3: checks replay and the tag of the SRTP packet in <paramref name="buffer"/>, then decrypts it in
    /// place; <paramref name="length"/> is the RTP length. Nothing changes unless the result is
    /// <see cref="SrtpUnprotectResult.Ok"/>.
    /// </summary>
    public SrtpUnprotectResult Unprotect(Span<byte> buffer, out int length)
    {
        length = 0;
        var rtpLength = buffer.Length - _tagLength;
        if (rtpLength < RtpPacket.HeaderLength) return SrtpUnprotectResult.Malformed;
        var headerLength = HeaderLength(buffer[..rtpLength]);
        if (headerLength < 0) return SrtpUnprotectResult.Malformed;
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        // A new SSRC (the peer restarted its stream) starts a fresh index space; it is adopted only once authentic.
        var newStream = !_window.HasHighest || ssrc != _ssrc;
        var index = newStream ? sequence : EstimateIndex(sequence);
        if (!newStream && !_window.IsFresh(index)) return SrtpUnprotectResult.Replayed;
        var roc = (uint)(index >> 16);
        // The ROC is hashed from where the tag is (see ComputeTag): the received tag is kept aside and put back.
        Span<byte> received = stackalloc byte[10];
        buffer.Slice(rtpLength, _tagLength).CopyTo(received);
        ComputeTag(buffer, rtpLength, roc);
        received[.._tagLength].CopyTo(buffer[rtpLength..]);
        if (!CryptographicOperations.FixedTimeEquals(_mac.AsSpan(0, _tagLength), received[.._tagLength]))
            return SrtpUnprotectResult.AuthenticationFailed;
        if (newStream)
        {
            _window = default;
            _ssrc = ssrc;
        }
        WriteIv(ssrc, index);
        _cipher.Apply(_iv, buffer[headerLength..rtpLength]);
        _window.Accept(index);
        _roc = (uint)(_window.Highest >> 16);
        length = rtpLength;
        return SrtpUnprotectResult.Ok;
    }

    // RFC 3711 §3.3.1 / Appendix A: the index whose sequence number is closest to the highest one seen (s_l).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long EstimateIndex(ushort sequence)
    {
        var highest = _window.Highest;
        var sl = (ushort)highest;
        long v = _roc;
        if (sl < 0x8000)
        {
            if (sequence - sl > 0x8000) v = _roc - 1L;
        }
        else if (sl - 0x8000 > sequence)
        {
            v = _roc + 1L;
        }
        return (v << 16) | sequence; // negative when v = -1: IsFresh refuses it
    }

    // RFC 3711 §4.1.1: IV = (k_s · 2^16) XOR (SSRC · 2^64) XOR (i · 2^16).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteIv(uint ssrc, long index)
    {
        var iv = _iv.AsSpan();
        _salt.CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(iv[4..], BinaryPrimitives.ReadUInt32BigEndian(iv[4..]) ^ ssrc);
        for (var b = 0; b < 6; b++) iv[8 + b] ^= (byte)(index >> (8 * (5 - b)));
    }

    // RFC 3711 §4.2: HMAC-SHA1 over the authenticated portion (buffer[..length]) || ROC. The ROC is written into the
    // tag's room right behind the packet (at least 4 bytes: the shortest tag is 32 bits) so the HMAC is fed once:
    // each call into OpenSSL costs about as much as hashing a block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeTag(Span<byte> buffer, int length, uint roc)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], roc);
        _auth.AppendData(buffer[..(length + 4)]);
        _auth.GetHashAndReset(_mac);
    }

    // The encrypted portion starts after the CSRCs and the header extension (RFC 3711 §3.1).
    internal static int HeaderLength(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < RtpPacket.HeaderLength || packet[0] >> 6 != 2) return -1;
        var offset = RtpPacket.HeaderLength + (4 * (packet[0] & 0x0F));
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < offset + 4) return -1;
            offset += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]));
        }
        return packet.Length < offset ? -1 : offset;
    }

    public void Dispose()
    {
        _cipher.Dispose();
        _auth.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
