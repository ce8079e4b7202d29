using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transactions;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.UserAgent;

/// <summary>
/// An out-of-dialog request other than INVITE (OPTIONS, REGISTER, MESSAGE, …). The handler must answer it through
/// <see cref="ServerRequest.Transaction"/>; if nobody does, the core answers 501 (RFC 3261 §8.2.1 for unknown methods).
/// </summary>
public sealed class SipRequestEventArgs(ServerRequest request) : EventArgs
{
    public ServerRequest Request { get; } = request;
}

/// <summary>A received request, its server transaction and where it came from.</summary>
public sealed class ServerRequest(SipServerTransaction transaction, SipEndPoint source)
{
    public SipServerTransaction Transaction { get; } = transaction;
    public SipMessage Message => Transaction.Request;
    public SipEndPoint Source { get; } = source;

    /// <summary>Sends a response made by <paramref name="configure"/> from the request (§8.2.6).</summary>
    public void Respond(int statusCode, string? reasonPhrase = null, Action<SipMessage>? configure = null, string? toTag = null)
    {
        var response = Transaction.CreateResponse(statusCode, reasonPhrase, toTag);
        configure?.Invoke(response);
        Transaction.SendResponse(response);
    }
}

/// <summary>A new INVITE outside any dialog: the handler owns the session (answer, reject, or let CANCEL end it).</summary>
public sealed class SipIncomingCallEventArgs(IncomingInviteSession session) : EventArgs
{
    public IncomingInviteSession Session { get; } = session;
}

/// <summary>An in-dialog request (INFO, re-INVITE) given to the session's user; answer through <see cref="Request"/>.</summary>
public sealed class SipInDialogRequestEventArgs(ServerRequest request) : EventArgs
{
    public ServerRequest Request { get; } = request;

    /// <summary>Set by a handler that answered the request itself; otherwise the session answers 200.</summary>
    public bool Handled { get; set; }
}

/// <summary>
/// A REFER in an established dialog (RFC 3515) with its parsed Refer-To. The handler calls <see cref="Accept"/>
/// (202 Accepted, then NOTIFY <c>100 Trying</c>) and later reports the outcome through the returned subscription;
/// or sets <see cref="RefuseStatus"/>. Not accepted by any handler → the session answers <see cref="RefuseStatus"/>.
/// </summary>
public sealed class SipReferEventArgs : EventArgs
{
    private readonly Func<SipReferSubscription> _accept;
    private SipReferSubscription? _subscription;

    internal SipReferEventArgs(ServerRequest request, SipReferTo referTo, bool subscription, Func<SipReferSubscription> accept)
    {
        Request = request;
        ReferTo = referTo;
        WantsSubscription = subscription;
        _accept = accept;
    }

    public ServerRequest Request { get; }

    public SipReferTo ReferTo { get; }

    /// <summary>False when the REFER said <c>Refer-Sub: false</c> (RFC 4488): no NOTIFYs are wanted.</summary>
    public bool WantsSubscription { get; }

    /// <summary>The status sent when nobody accepts (603 Declined unless a handler says otherwise: 403, 488…).</summary>
    public int RefuseStatus { get; set; } = 603;

    public bool IsAccepted => _subscription is not null;

    /// <summary>202 Accepted and the first NOTIFY (100 Trying); idempotent.</summary>
    public SipReferSubscription Accept() => _subscription ??= _accept();
}
