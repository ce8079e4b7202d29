namespace Hotline.Cti.Sip.Messages;

/// <summary>Builds responses from a request per RFC 3261 §8.2.6.</summary>
public static class SipResponses
{
    /// <summary>
    /// A response copying Via (all values, in order), From, Call-ID, CSeq and To; <paramref name="toTag"/> is
    /// added to To when it has none (§8.2.6.2, not on 100 Trying).
    /// </summary>
    public static SipMessage Create(SipMessage request, int statusCode, string? reasonPhrase = null, string? toTag = null)
    {
        var response = SipMessage.CreateResponse(statusCode, reasonPhrase);
        foreach (var h in request.Headers)
        {
            switch (h.Id)
            {
                case SipHeaderId.Via:
                case SipHeaderId.From:
                case SipHeaderId.CallId:
                case SipHeaderId.CSeq:
                    response.AddHeader(h);
                    break;
                case SipHeaderId.To:
                    if (statusCode > 100 && toTag is not null && request.To is { Tag: null } to)
                    {
                        var tagged = new SipNameAddr { DisplayName = to.DisplayName, Uri = to.Uri };
                        foreach (var (k, v) in to.Parameters.Items) tagged.Parameters[k] = v;
                        tagged.Tag = toTag;
                        response.AddHeader(SipHeaderNames.To, tagged.ToString());
                    }
                    else response.AddHeader(h);
                    break;
                case SipHeaderId.RecordRoute when statusCode is > 100 and < 300:
                    // §12.1.1: Record-Route is copied into responses that establish a dialog.
                    response.AddHeader(h);
                    break;
            }
        }
        return response;
    }
}
