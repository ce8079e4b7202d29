using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Hotline.Cti.Media.WebRtc;

/// <summary>
/// A read-only view of one STUN message (RFC 8489 §5, §14) over the received datagram: the header, and where the
/// attributes ICE needs are. Parsing allocates nothing; <see cref="TryParse"/> rejects anything that is not a
/// well-formed STUN message with the magic cookie (RFC 8489 §6.3: such packets are silently discarded).
/// </summary>
public readonly ref struct StunMessage
{
    public const uint MagicCookie = 0x2112A442;
    public const int HeaderLength = 20;
    public const ushort BindingRequest = 0x0001;
    public const ushort BindingSuccess = 0x0101;
    public const ushort BindingError = 0x0111;
    public const ushort BindingIndication = 0x0011;

    // RFC 8489 §18.3 and RFC 8445 §16.1 attribute types.
    public const ushort AttrMappedAddress = 0x0001;
    public const ushort AttrUsername = 0x0006;
    public const ushort AttrMessageIntegrity = 0x0008;
    public const ushort AttrErrorCode = 0x0009;
    public const ushort AttrXorMappedAddress = 0x0020;
    public const ushort AttrPriority = 0x0024;
    public const ushort AttrUseCandidate = 0x0025;
    public const ushort AttrSoftware = 0x8022;
    public const ushort AttrFingerprint = 0x8028;
    public const ushort AttrIceControlled = 0x8029;
    public const ushort AttrIceControlling = 0x802A;

    /// <summary>RFC 8489 §14.7: the FINGERPRINT is the CRC-32 XOR-ed with this ("STUN").</summary>
    public const uint FingerprintXor = 0x5354554E;

    private StunMessage(ReadOnlySpan<byte> bytes, ushort type)
    {
        Bytes = bytes;
        Type = type;
        UsernameOffset = IntegrityOffset = FingerprintOffset = XorMappedOffset = -1;
    }

    /// <summary>The whole message (header and attributes).</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public ushort Type { get; }

    public ReadOnlySpan<byte> TransactionId => Bytes.Slice(8, 12);

    /// <summary>Offsets of attribute headers in <see cref="Bytes"/>, -1 when absent.</summary>
    public int UsernameOffset { get; private init; }
    public int IntegrityOffset { get; private init; }
    public int FingerprintOffset { get; private init; }
    public int XorMappedOffset { get; private init; }
    public bool UseCandidate { get; private init; }
    public bool HasIceControlled { get; private init; }
    public bool HasIceControlling { get; private init; }

    /// <summary>Comprehension-required attributes (type below 0x8000) we do not know (RFC 8489 §7.3.1: 420).</summary>
    public bool HasUnknownRequired { get; private init; }

    public ReadOnlySpan<byte> Username => UsernameOffset < 0 ? default : Value(UsernameOffset);

    private ReadOnlySpan<byte> Value(int offset) => Bytes.Slice(offset + 4, BinaryPrimitives.ReadUInt16BigEndian(Bytes[(offset + 2)..]));

    public static bool TryParse(ReadOnlySpan<byte> packet, out StunMessage message)
    {
        message = default;
        if (packet.Length < HeaderLength || packet.Length > MaxLength || (packet[0] & 0xC0) != 0) return false;
        var type = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var length = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if ((length & 3) != 0 || HeaderLength + length != packet.Length) return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(packet[4..]) != MagicCookie) return false;
        int username = -1, integrity = -1, fingerprint = -1, xorMapped = -1;
        bool useCandidate = false, controlled = false, controlling = false, unknown = false;
        var pos = HeaderLength;
        while (pos < packet.Length)
        {
            if (pos + 4 > packet.Length) return false;
            var attr = BinaryPrimitives.ReadUInt16BigEndian(packet[pos..]);
            var len = BinaryPrimitives.ReadUInt16BigEndian(packet[(pos + 2)..]);
            var next = pos + 4 + ((len + 3) & ~3);
            if (next > packet.Length) return false;
            // RFC 8489 §14.5/§14.7: only FINGERPRINT may follow MESSAGE-INTEGRITY, and nothing follows FINGERPRINT.
            if (fingerprint >= 0) return false;
            if (integrity >= 0 && attr != AttrFingerprint) { pos = next; continue; }
            switch (attr)
            {
                case AttrUsername: if (len > 513) return false; username = pos; break;
                case AttrMessageIntegrity: if (len != 20) return false; integrity = pos; break;
                case AttrFingerprint: if (len != 4) return false; fingerprint = pos; break;
                case AttrXorMappedAddress: xorMapped = pos; break;
                case AttrUseCandidate: useCandidate = true; break;
                case AttrIceControlled: controlled = true; break;
                case AttrIceControlling: controlling = true; break;
                case AttrPriority or AttrSoftware or AttrErrorCode or AttrMappedAddress: break;
                default: if (attr < 0x8000) unknown = true; break;
            }
            pos = next;
        }
        message = new StunMessage(packet, type)
        {
            UsernameOffset = username, IntegrityOffset = integrity, FingerprintOffset = fingerprint, XorMappedOffset = xorMapped,
            UseCandidate = useCandidate, HasIceControlled = controlled, HasIceControlling = controlling, HasUnknownRequired = unknown,
        };
        return true;
    }

    /// <summary>RFC 8489 §14.7: true when there is a FINGERPRINT and it matches.</summary>
    public bool FingerprintMatches()
    {
        if (FingerprintOffset < 0) return false;
        var expected = BinaryPrimitives.ReadUInt32BigEndian(Bytes[(FingerprintOffset + 4)..]);
        return ComputeFingerprint(Bytes, FingerprintOffset) == expected;
    }

    /// <summary>
    /// RFC 8489 §14.5 / §9.1.3: the HMAC-SHA1, keyed with <paramref name="key"/> (the short-term password's bytes,
    /// RFC 8489 §9.1.1), over the message up to MESSAGE-INTEGRITY with the header length adjusted to end there.
    /// Compared in constant time.
    /// </summary>
    public bool IntegrityMatches(ReadOnlySpan<byte> key)
    {
        if (IntegrityOffset < 0) return false;
        Span<byte> mac = stackalloc byte[20];
        ComputeIntegrity(Bytes, IntegrityOffset, key, mac);
        return CryptographicOperations.FixedTimeEquals(mac, Bytes.Slice(IntegrityOffset + 4, 20));
    }

    /// <summary>The XOR-MAPPED-ADDRESS (RFC 8489 §14.2), or null.</summary>
    public IPEndPoint? XorMappedAddress()
    {
        if (XorMappedOffset < 0) return null;
        var v = Value(XorMappedOffset);
        if (v.Length < 8) return null;
        var port = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(v[2..]) ^ (MagicCookie >> 16));
        Span<byte> address = stackalloc byte[16];
        var n = v[1] == 0x01 ? 4 : v[1] == 0x02 ? 16 : 0;
        if (n == 0 || v.Length < 4 + n) return null;
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
        TransactionId.CopyTo(mask[4..]);
        for (var i = 0; i < n; i++) address[i] = (byte)(v[4 + i] ^ mask[i]);
        return new IPEndPoint(new IPAddress(address[..n]), port);
    }

    /// <summary>The largest STUN message we handle: one unfragmented datagram (RFC 8489 §6.1).</summary>
    public const int MaxLength = 1500;

    /// <summary>Writes the HMAC of <paramref name="message"/> for a MESSAGE-INTEGRITY attribute at <paramref name="integrityOffset"/>.</summary>
    internal static void ComputeIntegrity(ReadOnlySpan<byte> message, int integrityOffset, ReadOnlySpan<byte> key, Span<byte> mac)
    {
        // The length field counts up to the end of MESSAGE-INTEGRITY (§14.5), whatever follows it.
        Span<byte> text = stackalloc byte[MaxLength];
        text = text[..integrityOffset];
        message[..integrityOffset].CopyTo(text);
        BinaryPrimitives.WriteUInt16BigEndian(text[2..], (ushort)(integrityOffset + 24 - HeaderLength));
        HMACSHA1.HashData(key, text, mac);
    }

    /// <summary>RFC 8489 §14.7: CRC-32 of the message up to FINGERPRINT (length adjusted to include it), XOR 0x5354554E.</summary>
    internal static uint ComputeFingerprint(ReadOnlySpan<byte> message, int fingerprintOffset)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        text = text[..fingerprintOffset];
        message[..fingerprintOffset].CopyTo(text);
        BinaryPrimitives.WriteUInt16BigEndian(text[2..], (ushort)(fingerprintOffset + 8 - HeaderLength));
        return StunCrc32.Compute(text) ^ FingerprintXor;
    }
}
