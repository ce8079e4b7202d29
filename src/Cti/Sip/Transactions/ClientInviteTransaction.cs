using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.Transactions;

/// <summary>
/// RFC 3261 §17.1.1 (Figure 5) with RFC 6026's Accepted state: Timer A retransmits the INVITE over UDP, Timer B
/// gives up, a non-2xx final is ACKed here and absorbed until Timer D, a 2xx is passed up (its ACK is the
/// dialog's) and retransmissions of it are passed up too until Timer M.
/// </summary>
public sealed class ClientInviteTransaction : SipClientTransaction
{
    private readonly SipTransactionTimer _timerA;
    private readonly SipTransactionTimer _timerB;
    private readonly SipTransactionTimer _timerD;
    private SipMessage? _ack;
    private bool _cancelSent;

    /// <summary>Longest an INVITE may stay in Proceeding before the transaction gives up on its own.</summary>
    public static readonly TimeSpan ProceedingGuard = TimeSpan.FromMinutes(3);

    public ClientInviteTransaction(SipMessage request, SipEndPoint remote, ISipSender sender, SipTimerSettings timers, TimeProvider time)
        : base(request, remote, sender, timers, time)
    {
        State = SipTransactionState.Calling;
        _timerA = new SipTransactionTimer(time, OnTimerA);
        _timerB = new SipTransactionTimer(time, OnTimerB);
        _timerD = new SipTransactionTimer(time, OnTimerD);
    }

    /// <summary>A 2xx arrived again (the ACK was lost): the dialog re-sends its ACK (§13.2.2.4).</summary>
    public event Action<SipMessage>? SuccessRetransmitted;

    public override void Start()
    {
        lock (Gate)
        {
            Sender.Send(Request, Remote);
            // §17.1.1.2: Timer A starts at T1 for unreliable transports; Timer B = 64*T1 always.
            if (!Reliable) _timerA.Start(Timers.T1);
            _timerB.Start(Timers.TimeoutInterval);
        }
    }

    internal override void OnResponse(SipMessage response)
    {
        var status = response.StatusCode;
        Action? after = null;
        lock (Gate)
        {
            switch (State)
            {
                case SipTransactionState.Calling or SipTransactionState.Proceeding when status < 200:
                    State = SipTransactionState.Proceeding;
                    _timerA.Stop();
                    // §17.1.1.2: no Timer B in Proceeding (the TU's ring timeout CANCELs); keep a generous guard
                    // so a peer that never answers nor ends the INVITE cannot hold it forever.
                    if (!_cancelSent) _timerB.Start(ProceedingGuard); // after a CANCEL, 64*T1 runs on (OnCancelSent)
                    after = () => RaiseProvisional(response);
                    break;
                case SipTransactionState.Calling or SipTransactionState.Proceeding when status < 300:
                    // RFC 6026 §8.4: Accepted, Timer M = 64*T1.
                    State = SipTransactionState.Accepted;
                    _timerA.Stop();
                    _timerB.Start(Timers.TimeoutInterval);
                    after = () => Complete(response);
                    break;
                case SipTransactionState.Calling or SipTransactionState.Proceeding:
                    State = SipTransactionState.Completed;
                    _timerA.Stop();
                    _timerB.Stop();
                    _ack = BuildAck(response);
                    Sender.Send(_ack, Remote);
                    // §17.1.1.2: Timer D ≥ 32 s for unreliable transports, 0 for reliable.
                    if (Reliable) Terminate(SipTransactionEnd.Normal);
                    else _timerD.Start(Timers.T1 * 64 > TimeSpan.FromSeconds(32) ? Timers.T1 * 64 : TimeSpan.FromSeconds(32));
                    after = () => Complete(response);
                    break;
                case SipTransactionState.Completed when status >= 300:
                    Sender.Send(_ack!, Remote); // retransmitted final: ACK again, do not pass up.
                    break;
                case SipTransactionState.Accepted when status is >= 200 and < 300:
                    after = () => SuccessRetransmitted?.Invoke(response);
                    break;
            }
        }
        after?.Invoke();
    }

    /// <summary>
    /// §17.1.1.3: ACK for a non-2xx: same Request-URI, Call-ID, From, CSeq number and top Via as the INVITE,
    /// To from the response (with its tag), Route headers of the INVITE.
    /// </summary>
    private SipMessage BuildAck(SipMessage response)
    {
        var ack = SipMessage.CreateRequest(SipMethods.Ack, Request.RequestUri!);
        ack.RequestUriText = Request.RequestUriText;
        var viaDone = false;
        foreach (var h in Request.Headers)
        {
            switch (h.Id)
            {
                case SipHeaderId.Via when !viaDone:
                    ack.AddHeader(SipHeaderNames.Via, Request.TopVia!.ToString());
                    viaDone = true;
                    break;
                case SipHeaderId.From or SipHeaderId.CallId or SipHeaderId.Route or SipHeaderId.MaxForwards:
                    ack.AddHeader(h);
                    break;
            }
        }
        ack.AddHeader(SipHeaderNames.To, response.GetHeader(SipHeaderId.To)!);
        ack.AddHeader(SipHeaderNames.CSeq, new SipCSeq(Request.CSeq.Number, SipMethods.Ack).ToString());
        return ack;
    }

    /// <summary>
    /// A CANCEL for this INVITE went out. RFC 3261 §9.1: with no final response 64*T1 later the INVITE is taken as
    /// cancelled and the transaction destroyed, so a peer that ignores the CANCEL (never sends 487) holds the call,
    /// and its media ports, for 64*T1, not for <see cref="ProceedingGuard"/>.
    /// </summary>
    public void OnCancelSent()
    {
        lock (Gate)
        {
            if (State is not (SipTransactionState.Calling or SipTransactionState.Proceeding) || _cancelSent) return;
            _cancelSent = true;
            _timerB.Start(Timers.TimeoutInterval);
        }
    }

    private void OnTimerA()
    {
        lock (Gate)
        {
            if (State != SipTransactionState.Calling) return;
            Sender.Send(Request, Remote);
            Sender.Retransmitted("A");
            // §17.1.1.2: Timer A doubles each time, with no T2 cap for INVITE.
            _timerA.Start(Double(_timerA.Interval, capAtT2: false));
        }
    }

    private void OnTimerB()
    {
        var timedOut = false;
        lock (Gate)
        {
            if (State is SipTransactionState.Calling or SipTransactionState.Proceeding)
            {
                // §17.1.1.2: Timer B fired in Calling (or the Proceeding guard): report a timeout.
                timedOut = true;
                Terminate(SipTransactionEnd.Timeout);
            }
            else if (State == SipTransactionState.Accepted) Terminate(SipTransactionEnd.Normal); // Timer M
        }
        if (timedOut) CompleteWithTimeout();
    }

    private void OnTimerD()
    {
        lock (Gate)
        {
            if (State == SipTransactionState.Completed) Terminate(SipTransactionEnd.Normal);
        }
    }

    private protected override void DisposeTimers()
    {
        _timerA.Dispose();
        _timerB.Dispose();
        _timerD.Dispose();
    }
}
