using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.Transactions;

/// <summary>
/// A client transaction (§17.1): sends a request, retransmits it over UDP, and reports responses to its user.
/// The final response completes <see cref="FinalResponse"/>; a timeout completes it with a local 408 (§8.1.3.1).
/// </summary>
public abstract class SipClientTransaction : SipTransaction
{
    private readonly TaskCompletionSource<SipMessage> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private protected SipClientTransaction(SipMessage request, SipEndPoint remote, ISipSender sender, SipTimerSettings timers, TimeProvider time)
        : base(SipTransactionKey.ForClient(request.TopVia?.Branch ?? throw new ArgumentException("The request needs a Via with a branch.", nameof(request)), request.CSeq.Method),
            request, remote, sender, timers, time)
    {
    }

    /// <summary>Each 1xx, in order of arrival.</summary>
    public event Action<SipMessage>? ProvisionalReceived;

    /// <summary>The first final response, or a locally made 408 if Timer B/F fired.</summary>
    public Task<SipMessage> FinalResponse => _final.Task;

    /// <summary>Sends the request and starts the timers.</summary>
    public abstract void Start();

    /// <summary>A response matched to this transaction by the table.</summary>
    internal abstract void OnResponse(SipMessage response);

    private protected void RaiseProvisional(SipMessage response) => ProvisionalReceived?.Invoke(response);

    private protected void Complete(SipMessage response) => _final.TrySetResult(response);

    /// <summary>§8.1.3.1: a transaction timeout is treated as a 408 (Request Timeout).</summary>
    private protected void CompleteWithTimeout()
    {
        var response = SipResponses.Create(Request, 408, "Request Timeout (no response)");
        _final.TrySetResult(response);
    }
}
