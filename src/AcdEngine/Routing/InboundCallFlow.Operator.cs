namespace Hotline.AcdEngine.Routing;

public sealed partial class InboundCallFlow
{
    private volatile bool _operatorHungUp;

    /// <summary>"talking" (with an agent), "queued" (waiting for one) or "ivr" (greeting, menu, survey, voicemail).</summary>
    public string Phase => _life.Phase;

    /// <summary>
    /// An operator ends the call from the console tool (issue 20), whatever its phase: the engine sends the caller a
    /// BYE (or the final response if unanswered), and the flow ends as for a caller hang-up, except that the call is
    /// recorded as ended by the system with reason "operator-hangup".
    /// </summary>
    public async Task<(bool Ok, string Error)> HangupByOperatorAsync(CancellationToken ct)
    {
        var hangingUp = _owner.TryRun(() =>
        {
            // The caller gone (the agent's wrap-up): nothing to hang up, and the call keeps the reason it ended with.
            if (_life.IsEnded || _callerGone.Task.IsCompleted) return false;
            _operatorHungUp = true;
            return true;
        }, ended: false);
        if (!hangingUp) return (false, "The call has already ended.");
        await _caller.HangupAsync(ct);
        return (true, "");
    }
}
