using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Queues;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>What ended one stretch of waiting in the queue.</summary>
internal enum QueueWaitOutcome
{
    /// <summary>The dispatcher reserved agents for this caller: <see cref="QueueWaitStage.Offer"/>.</summary>
    Offered,

    /// <summary>The caller hung up while waiting.</summary>
    CallerLeft,

    /// <summary><c>Acd:Queues:&lt;name&gt;:MaxWaitSeconds</c> passed.</summary>
    MaxWait,
}

/// <summary>
/// The queue-wait stage of one queue visit (docs/acd.md step 3): hold music, "you are number N" with the expected wait
/// every <c>Acd:AnnounceEverySeconds</c>, and the maximum wait — its own timers, set before the music starts, last
/// across ring attempts (a caller back from RONA keeps their place and deadline). The orchestrator asks
/// <see cref="NextAsync"/> until an agent is connected, the caller leaves or the wait is over.
/// </summary>
internal sealed class QueueWaitStage : IAsyncDisposable
{
    private readonly CallFlowContext _ctx;
    private readonly ICallLeg _caller;
    private readonly CallLifecycle _life;
    private readonly QueuedCall _queued;
    private readonly Task _callerGone;
    private readonly CancellationToken _ct;
    private readonly CancellationTokenSource _lifetime;
    private readonly Task _maxWait;
    private readonly TimeSpan _period;
    private Task _announce;
    private Task<IReadOnlyList<AgentSnapshot>>? _offer;

    /// <summary>Sets the timers, then starts the music: once the caller hears hold music every deadline of this wait is set.</summary>
    public QueueWaitStage(CallFlowContext ctx, ICallLeg caller, CallLifecycle life, QueuedCall queued, QueueOptions options, Task callerGone, CancellationToken ct)
    {
        (_ctx, _caller, _life, _queued, _callerGone, _ct) = (ctx, caller, life, queued, callerGone, ct);
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _maxWait = options.MaxWaitSeconds > 0
            ? Task.Delay(queued.EnteredAt + TimeSpan.FromSeconds(options.MaxWaitSeconds) - ctx.Time.GetUtcNow(), ctx.Time, _lifetime.Token)
            : Task.Delay(Timeout.Infinite, _lifetime.Token);
        _period = TimeSpan.FromSeconds(ctx.Options.AnnounceEverySeconds);
        _announce = NextAnnouncement();
        StartHoldMusic();
    }

    /// <summary>The agents reserved for the caller by the last <see cref="QueueWaitOutcome.Offered"/>.</summary>
    public IReadOnlyList<AgentSnapshot> Offer => _offer is { IsCompletedSuccessfully: true } offer ? offer.Result : [];

    public bool MaxWaitPassed => _maxWait.IsCompleted;

    /// <summary>Waits (announcing the position as due) for an offer, the caller's hang-up or the maximum wait.</summary>
    public async Task<QueueWaitOutcome> NextAsync()
    {
        while (true)
        {
            _offer = _ctx.Queues.NextOfferAsync(_queued);
            await Task.WhenAny(_offer, _callerGone, _maxWait, _announce);
            if (_callerGone.IsCompleted && !_offer.IsCompletedSuccessfully) return QueueWaitOutcome.CallerLeft;
            if (_offer.IsCompletedSuccessfully) return QueueWaitOutcome.Offered;
            if (_maxWait.IsCompleted) return QueueWaitOutcome.MaxWait;
            if (_announce.IsCompleted)
            {
                AnnouncePosition();
                _announce = NextAnnouncement();
            }
        }
    }

    /// <summary>
    /// After the caller left the queue unanswered (hung up, or the maximum wait passed): the dispatcher may have
    /// reserved agents for them in that same instant, after this stage last looked. Leaving the queue cancels an offer
    /// not yet made, so once left the offer is settled; one already made is handed back here, or its agents would
    /// stay Ringing for a call that never rings them (found by the 5-minute TicketApi outage under load, issue 21).
    /// </summary>
    public void ReturnUnusedOffer(string callId)
    {
        if (_offer is not { IsCompletedSuccessfully: true } offer) return;
        foreach (var agent in offer.Result) _ctx.Roster.ReleaseRing(agent.Id, callId, null);
    }

    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        _lifetime.Dispose();
    }

    private Task NextAnnouncement() =>
        _period > TimeSpan.Zero ? Task.Delay(_period, _ctx.Time, _lifetime.Token) : Task.Delay(Timeout.Infinite, _lifetime.Token);

    private void StartHoldMusic() => _ = _caller.PlayAsync(_ctx.Prompts.HoldMusic(), _ct);

    /// <summary>
    /// "You are number N", and the expected wait when it can be estimated (<see cref="WaitEstimator"/>), then back to
    /// the music, unless the caller was connected meanwhile.
    /// </summary>
    private void AnnouncePosition()
    {
        if (!_ctx.Queues.SharesLine)
        {
            Announce(_ctx.Queues.PositionOf(_queued));
            return;
        }
        // Acd:SharedQueues: the place across every engine's callers (one Redis round trip, off the flow's path).
        _ = _ctx.Queues.SharedPositionAsync(_queued).ContinueWith(p => Announce(p.Result), CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    private void Announce(int position)
    {
        if (position == 0 || _ctx.Queues.PositionOf(_queued) == 0) return; // Connected or gone meanwhile.
        int? minutes = _ctx.Queues.ExpectedWait(_queued, position) is { } wait ? WaitEstimator.MinutesToSay(wait) : null;
        _ = _caller.PlayAsync(_ctx.Prompts.Position(position, minutes), _ct).ContinueWith(_ =>
        {
            if (_life.Stage is CallStage.Queued or CallStage.Ringing && _ctx.Queues.PositionOf(_queued) > 0) StartHoldMusic();
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
