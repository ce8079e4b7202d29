using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.Transactions;

/// <summary>
/// A server transaction (§17.2): absorbs retransmitted requests (re-sending the last response) and carries the
/// responses its user sends.
/// </summary>
public abstract class SipServerTransaction : SipTransaction
{
    private protected SipServerTransaction(SipMessage request, SipEndPoint remote, ISipSender sender, SipTimerSettings timers, TimeProvider time)
        : base(SipTransactionKey.ForServer(request), request, remote, sender, timers, time)
    {
    }

    /// <summary>The last response sent, if any.</summary>
    public SipMessage? LastResponse { get; private protected set; }

    /// <summary>Whether a final response was already sent.</summary>
    public bool IsAnswered => LastResponse is { StatusCode: >= 200 };

    /// <summary>Sends a response; a second final response is refused (§17.2: the machine has left that state).</summary>
    public abstract void SendResponse(SipMessage response);

    /// <summary>The same request arrived again (matched by §17.2.3).</summary>
    internal abstract void OnRetransmission();

    /// <summary>Creates a response to this transaction's request (§8.2.6).</summary>
    public SipMessage CreateResponse(int statusCode, string? reasonPhrase = null, string? toTag = null) =>
        SipResponses.Create(Request, statusCode, reasonPhrase, toTag);

    private protected static InvalidOperationException AlreadyAnswered(SipTransactionState state) =>
        new($"The transaction already sent a final response (state {state}); a request gets one final response (RFC 3261 §17.2).");
}
