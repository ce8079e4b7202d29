using Hotline.Cti.Sip.Messages;

namespace Hotline.Cti.Sip.UserAgent;

/// <summary>Why a UAS turns a well-formed request away before handling it, and what it adds to say so.</summary>
public readonly record struct SipRefusal(int StatusCode, string? HeaderName = null, string? HeaderValue = null);

/// <summary>
/// The UAS checks of RFC 3261 §8.2.2–§8.2.3 that need no application state: schemes we cannot address, body
/// types we cannot read, answers the caller could not read (RFC 4475 §3.3.4, §3.3.6, §3.3.15).
/// </summary>
public static class SipRequestAcceptance
{
    private const string Sdp = "application/sdp";

    /// <summary>The refusal for a new out-of-dialog request, or null when it may be handled.</summary>
    public static SipRefusal? Check(SipMessage request)
    {
        // §8.2.2.1 applied to the address-of-record (§10.3 step 4): a REGISTER for a non-SIP To cannot bind anything.
        if (request.Method == SipMethods.Register && request.To is { Uri.IsSip: false }) return new SipRefusal(416);
        if (request.Method != SipMethods.Invite) return null;
        // §8.2.3: a body we cannot process is 415, listing what we accept.
        if (!request.Body.IsEmpty && MediaType(request.ContentType) is { } type && !type.Equals(Sdp, StringComparison.OrdinalIgnoreCase))
            return new SipRefusal(415, "Accept", Sdp);
        // §21.4.7: our answer carries SDP; an Accept without it (or a wildcard covering it) cannot take our answer.
        if (request.GetHeader("Accept") is { } accept && !string.IsNullOrWhiteSpace(accept) && !AcceptsSdp(accept))
            return new SipRefusal(406, "Accept", Sdp);
        return null;
    }

    private static bool AcceptsSdp(string accept)
    {
        foreach (var range in SipGrammar.SplitList(accept))
        {
            var type = MediaType(range);
            if (type is null) continue;
            if (type is "*/*" or "application/*" || type.Equals(Sdp, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>type/subtype of a media-type value, lower-cased, parameters dropped (§20.15).</summary>
    private static string? MediaType(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var semi = value.IndexOf(';', StringComparison.Ordinal);
        var type = (semi >= 0 ? value[..semi] : value).Trim().ToLowerInvariant();
        return type.Length == 0 ? null : type.Replace(" ", "", StringComparison.Ordinal);
    }
}
