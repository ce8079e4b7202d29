using System.Globalization;
using Hotline.Cti.Sip.Messages;

namespace Hotline.Cti.Sip.Dialogs;

/// <summary>Where a dialog is in its life (RFC 3261 §12).</summary>
public enum SipDialogState
{
    /// <summary>Created by a 1xx with a To tag (§12.1).</summary>
    Early,
    Confirmed,
    Terminated,
}

/// <summary>
/// The dialog state of RFC 3261 §12: Call-ID, tags, local/remote sequence numbers, remote target and route set.
/// It builds in-dialog requests (§12.2.1.1) and checks in-dialog ones (§12.2.2); it sends nothing itself.
/// </summary>
public sealed class SipDialog
{
    private readonly Lock _gate = new();
    private uint _localSeq;

    private SipDialog(string callId, string localTag, string remoteTag, string localUri, string remoteUri, SipUri remoteTarget,
        IReadOnlyList<string> routeSet, uint localSeq, uint? remoteSeq, bool isUac)
    {
        CallId = callId;
        LocalTag = localTag;
        RemoteTag = remoteTag;
        LocalUri = localUri;
        RemoteUri = remoteUri;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
        _localSeq = localSeq;
        RemoteSeq = remoteSeq;
        IsUac = isUac;
    }

    public string CallId { get; }
    public string LocalTag { get; }
    public string RemoteTag { get; private set; }

    /// <summary>Our From (UAC) / To (UAS) header value without the tag.</summary>
    public string LocalUri { get; }

    /// <summary>The peer's From (UAS) / To (UAC) header value without the tag.</summary>
    public string RemoteUri { get; }

    /// <summary>The peer's Contact: where in-dialog requests go (§12.1.1, §12.1.2); refreshed by re-INVITE.</summary>
    public SipUri RemoteTarget { get; private set; }

    /// <summary>Route set, in the order our requests carry it (§12.1.1: Record-Route as is; §12.1.2: reversed).</summary>
    public IReadOnlyList<string> RouteSet { get; }

    public uint LocalSeq
    {
        get
        {
            lock (_gate) return _localSeq;
        }
    }

    /// <summary>The highest CSeq seen from the peer; null until its first request (§12.1.2).</summary>
    public uint? RemoteSeq { get; private set; }

    public bool IsUac { get; }

    public SipDialogState State { get; private set; } = SipDialogState.Early;

    /// <summary>The key a message is matched on: Call-ID, local tag, remote tag (§12).</summary>
    public string Id => Key(CallId, LocalTag, RemoteTag);

    public static string Key(string callId, string localTag, string remoteTag) => callId + "|" + localTag + "|" + remoteTag;

    /// <summary>UAS side (§12.1.1): from the INVITE we answer with <paramref name="localTag"/>.</summary>
    public static SipDialog CreateUas(SipMessage invite, string localTag)
    {
        var to = invite.To!;
        var from = invite.From!;
        var contact = FirstContact(invite) ?? from.Uri;
        // §12.1.1: route set = Record-Route of the request, in order.
        var routes = invite.GetValues(SipHeaderId.RecordRoute);
        return new SipDialog(invite.CallId, localTag, from.Tag ?? "", WithoutTag(to), WithoutTag(from), contact, routes, 0,
            invite.CSeq.Number, isUac: false);
    }

    /// <summary>UAC side (§12.1.2): from our INVITE and the 1xx/2xx that carries a To tag.</summary>
    public static SipDialog CreateUac(SipMessage invite, SipMessage response)
    {
        var contact = FirstContact(response) ?? invite.RequestUri!;
        // §12.1.2: route set = Record-Route of the response, reversed.
        var routes = response.GetValues(SipHeaderId.RecordRoute);
        routes.Reverse();
        var dialog = new SipDialog(invite.CallId, invite.FromTag ?? "", response.ToTag ?? "", WithoutTag(invite.From!),
            WithoutTag(response.To!), contact, routes, invite.CSeq.Number, null, isUac: true);
        if (response.StatusCode is >= 200 and < 300) dialog.Confirm();
        return dialog;
    }

    public void Confirm() => State = SipDialogState.Confirmed;

    public void Terminate() => State = SipDialogState.Terminated;

    /// <summary>
    /// §12.2.2: a request with a lower CSeq than the last one is out of order (answer 500); ACK and CANCEL
    /// carry the INVITE's number and are not checked. Returns false when the request must be refused.
    /// </summary>
    public bool AcceptRemoteSequence(SipMessage request)
    {
        if (request.Method is SipMethods.Ack or SipMethods.Cancel) return true;
        lock (_gate)
        {
            var seq = request.CSeq.Number;
            if (RemoteSeq is { } last && seq <= last) return false;
            RemoteSeq = seq;
            return true;
        }
    }

    /// <summary>§12.2.2: a target refresh (re-INVITE, UPDATE) replaces the remote target with its Contact.</summary>
    public void RefreshTarget(SipMessage request)
    {
        if (FirstContact(request) is { } contact) RemoteTarget = contact;
    }

    /// <summary>
    /// §12.2.1.1: an in-dialog request. Loose routing: Request-URI = remote target and Route = route set; strict
    /// routing (first route without <c>lr</c>): Request-URI = first route, remote target appended as last Route.
    /// The caller adds Via (with a new branch) and Contact.
    /// </summary>
    public SipMessage CreateRequest(string method, uint? cseqOverride = null)
    {
        uint seq;
        lock (_gate) seq = cseqOverride ?? ++_localSeq;
        SipUri requestUri = RemoteTarget;
        var routes = new List<string>(RouteSet);
        if (routes.Count > 0 && SipNameAddr.TryParse(routes[0], out var first) && !first.Uri.Parameters.Contains("lr"))
        {
            requestUri = first.Uri;
            routes.RemoveAt(0);
            routes.Add("<" + RemoteTarget + ">");
        }
        var request = SipMessage.CreateRequest(method, requestUri);
        request.AddHeader(SipHeaderNames.MaxForwards, "70");
        request.AddHeader(SipHeaderNames.From, LocalUri + ";tag=" + LocalTag);
        request.AddHeader(SipHeaderNames.To, RemoteTag.Length > 0 ? RemoteUri + ";tag=" + RemoteTag : RemoteUri);
        request.AddHeader(SipHeaderNames.CallId, CallId);
        request.AddHeader(SipHeaderNames.CSeq, seq.ToString(CultureInfo.InvariantCulture) + " " + method);
        foreach (var r in routes) request.AddHeader(SipHeaderNames.Route, r);
        return request;
    }

    /// <summary>Where an in-dialog request goes first: the first Route if any, else the remote target (§12.2.1.1, §8.1.2).</summary>
    public SipUri NextHop()
    {
        if (RouteSet.Count > 0 && SipNameAddr.TryParse(RouteSet[0], out var first)) return first.Uri;
        return RemoteTarget;
    }

    private static SipUri? FirstContact(SipMessage message)
    {
        var contacts = message.GetValues(SipHeaderId.Contact);
        return contacts.Count > 0 && SipNameAddr.TryParse(contacts[0], out var c) ? c.Uri : null;
    }

    private static string WithoutTag(SipNameAddr value)
    {
        var copy = new SipNameAddr { DisplayName = value.DisplayName, Uri = value.Uri };
        foreach (var (k, v) in value.Parameters.Items)
            if (!string.Equals(k, "tag", StringComparison.OrdinalIgnoreCase)) copy.Parameters[k] = v;
        return copy.ToString();
    }
}
