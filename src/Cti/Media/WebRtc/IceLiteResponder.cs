using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hotline.Cti.Media.WebRtc;

/// <summary>What the responder did with one STUN packet.</summary>
public enum IceCheckOutcome
{
    /// <summary>A valid check: answered with a Binding success response.</summary>
    Answered,

    /// <summary>A valid check that also nominated this path (USE-CANDIDATE): media goes to its source from now on.</summary>
    Nominated,

    /// <summary>Answered with an error response (400 malformed, 401 wrong credentials, 420, 487 role conflict).</summary>
    Refused,

    /// <summary>Silently discarded (RFC 8489 §6.3: not STUN, bad FINGERPRINT, a response or indication).</summary>
    Ignored,
}

/// <summary>
/// The ICE-lite side of a media session (RFC 8445 §2.5, §7.3): we gather one host candidate, never send checks,
/// and answer the full agent's (the browser's) Binding requests. A request must carry <c>USERNAME =
/// ourUfrag:theirUfrag</c>, a MESSAGE-INTEGRITY keyed with our ice-pwd and a FINGERPRINT; it is answered from the
/// same socket with XOR-MAPPED-ADDRESS (the request's source), MESSAGE-INTEGRITY and FINGERPRINT (RFC 8445 §7.3.1).
/// A bad or missing credential gets 400/401 without MESSAGE-INTEGRITY (RFC 8489 §9.1.3). The source of a check
/// with USE-CANDIDATE becomes the remote media address (§7.3.1.5: a lite agent selects the nominated pair).
/// Responses are written into the caller's buffer: nothing is allocated per packet.
/// </summary>
public sealed class IceLiteResponder
{
    private readonly byte[] _key;
    private readonly byte[] _expectedUsername;

    public IceLiteResponder(IceCredentials local, string remoteUfrag)
    {
        Local = local;
        RemoteUfrag = remoteUfrag;
        _key = local.Key();
        _expectedUsername = Encoding.UTF8.GetBytes(local.Ufrag + ":" + remoteUfrag);
    }

    public IceCredentials Local { get; }

    public string RemoteUfrag { get; }

    /// <summary>The nominated remote address (null until a check with USE-CANDIDATE was answered).</summary>
    public IPEndPoint? Selected { get; private set; }

    /// <summary>Answers one STUN packet; <paramref name="written"/> is the response length (0: send nothing).</summary>
    public IceCheckOutcome Handle(ReadOnlySpan<byte> packet, IPEndPoint source, Span<byte> response, out int written)
    {
        written = 0;
        if (!StunMessage.TryParse(packet, out var request)) return IceCheckOutcome.Ignored;
        if (request.Type != StunMessage.BindingRequest) return IceCheckOutcome.Ignored; // indications (keep-alives) and responses
        // RFC 8445 §7.3 / RFC 8489 §6.3: ICE requires FINGERPRINT; without it or with a wrong one the packet is not ours.
        if (!request.FingerprintMatches()) return IceCheckOutcome.Ignored;
        if (request.HasUnknownRequired)
        {
            written = WriteError(request, 420, "Unknown Attribute", response);
            return IceCheckOutcome.Refused;
        }
        // RFC 8489 §9.1.3: no USERNAME or no MESSAGE-INTEGRITY → 400; unknown USERNAME or bad HMAC → 401.
        if (request.UsernameOffset < 0 || request.IntegrityOffset < 0)
        {
            written = WriteError(request, 400, "Bad Request", response);
            return IceCheckOutcome.Refused;
        }
        if (!request.Username.SequenceEqual(_expectedUsername) || !request.IntegrityMatches(_key))
        {
            written = WriteError(request, 401, "Unauthenticated", response);
            return IceCheckOutcome.Refused;
        }
        // RFC 8445 §6.1.1/§7.3.1.1: a lite agent is always controlled; a peer that also claims to be controlled is
        // told of the conflict (we cannot switch roles), so it takes the controlling role.
        if (request.HasIceControlled && !request.HasIceControlling)
        {
            written = WriteError(request, 487, "Role Conflict", response, withIntegrity: true);
            return IceCheckOutcome.Refused;
        }
        written = WriteSuccess(request, source, response);
        if (!request.UseCandidate) return IceCheckOutcome.Answered;
        Selected = source;
        return IceCheckOutcome.Nominated;
    }

    private int WriteSuccess(StunMessage request, IPEndPoint source, Span<byte> buffer)
    {
        var pos = WriteHeader(request, StunMessage.BindingSuccess, buffer);
        pos = WriteXorMappedAddress(request, source, buffer, pos);
        return Finish(buffer, pos, withIntegrity: true);
    }

    private int WriteError(StunMessage request, int code, string reason, Span<byte> buffer, bool withIntegrity = false)
    {
        var pos = WriteHeader(request, StunMessage.BindingError, buffer);
        // RFC 8489 §14.8: class (hundreds) and number, then the UTF-8 reason phrase, padded to 4 bytes.
        var reasonLength = Encoding.ASCII.GetBytes(reason, buffer[(pos + 8)..]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[pos..], StunMessage.AttrErrorCode);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(pos + 2)..], (ushort)(4 + reasonLength));
        buffer[pos + 4] = 0;
        buffer[pos + 5] = 0;
        buffer[pos + 6] = (byte)(code / 100);
        buffer[pos + 7] = (byte)(code % 100);
        pos += 8 + reasonLength;
        while ((pos & 3) != 0) buffer[pos++] = 0;
        return Finish(buffer, pos, withIntegrity);
    }

    private static int WriteHeader(StunMessage request, ushort type, Span<byte> buffer)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunMessage.MagicCookie);
        request.TransactionId.CopyTo(buffer[8..]);
        return StunMessage.HeaderLength;
    }

    private static int WriteXorMappedAddress(StunMessage request, IPEndPoint source, Span<byte> buffer, int pos)
    {
        var address = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        var n = v4 ? 4 : 16;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[pos..], StunMessage.AttrXorMappedAddress);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(pos + 2)..], (ushort)(4 + n));
        buffer[pos + 4] = 0;
        buffer[pos + 5] = v4 ? (byte)1 : (byte)2;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(pos + 6)..], (ushort)(source.Port ^ (int)(StunMessage.MagicCookie >> 16)));
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunMessage.MagicCookie);
        request.TransactionId.CopyTo(mask[4..]);
        var bytes = buffer.Slice(pos + 8, n);
        address.TryWriteBytes(bytes, out _);
        for (var i = 0; i < n; i++) bytes[i] ^= mask[i];
        return pos + 8 + n;
    }

    /// <summary>Appends MESSAGE-INTEGRITY (when we can key it) and FINGERPRINT, and sets the final length.</summary>
    private int Finish(Span<byte> buffer, int pos, bool withIntegrity)
    {
        if (withIntegrity)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer[pos..], StunMessage.AttrMessageIntegrity);
            BinaryPrimitives.WriteUInt16BigEndian(buffer[(pos + 2)..], 20);
            StunMessage.ComputeIntegrity(buffer, pos, _key, buffer.Slice(pos + 4, 20));
            pos += 24;
        }
        BinaryPrimitives.WriteUInt16BigEndian(buffer[pos..], StunMessage.AttrFingerprint);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(pos + 2)..], 4);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)(pos + 8 - StunMessage.HeaderLength));
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(pos + 4)..], StunMessage.ComputeFingerprint(buffer, pos));
        return pos + 8;
    }
}
