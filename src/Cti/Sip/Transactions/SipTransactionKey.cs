using System.Globalization;
using Hotline.Cti.Sip.Messages;

namespace Hotline.Cti.Sip.Transactions;

/// <summary>How messages are matched to transactions (RFC 3261 §17.1.3, §17.2.3).</summary>
public static class SipTransactionKey
{
    /// <summary>
    /// §17.1.3: a response matches the client transaction whose request had the same top-Via branch and CSeq
    /// method.
    /// </summary>
    public static string ForClient(string branch, string cseqMethod) => "c|" + branch + "|" + cseqMethod;

    public static string? ForResponse(SipMessage response) =>
        response.TopVia?.Branch is { } b ? ForClient(b, response.CSeq.Method) : null;

    /// <summary>
    /// §17.2.3: branch + sent-by + method, with ACK mapped to INVITE. For pre-RFC 3261 branches, the RFC 2543
    /// fields (Request-URI, From tag, Call-ID, CSeq number, top Via) instead. <paramref name="methodOverride"/>
    /// finds the INVITE a CANCEL refers to (§9.2).
    /// </summary>
    public static string ForServer(SipMessage request, string? methodOverride = null)
    {
        var method = methodOverride ?? (request.Method == SipMethods.Ack ? SipMethods.Invite : request.Method);
        var via = request.TopVia!;
        if (via.IsRfc3261Branch) return "s|" + via.Branch + "|" + via.SentBy + "|" + method;
        return "s2543|" + request.RequestUriText + "|" + request.FromTag + "|" + request.CallId + "|" +
               request.CSeq.Number.ToString(CultureInfo.InvariantCulture) + "|" + via.SentBy + "|" + via.Branch + "|" + method;
    }
}
