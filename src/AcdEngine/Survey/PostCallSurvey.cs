using Hotline.Cti.Media.Sources;
using System.Threading.Channels;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Survey;

/// <summary>
/// Runs the satisfaction survey on a caller's leg that an agent has left: plays the rating prompt (a key stops it),
/// waits <see cref="SurveyOptions.TimeoutSeconds"/> for a configured key, thanks the caller. The caller may hang up
/// at any time; no valid key in time, or a hang-up, is <see cref="SatisfactionScore.NotRated"/>. The score is returned
/// at the key press (so the flow can publish it at once), the thanks are played by <see cref="ThankAsync"/>. The leg is
/// not hung up here: the call's flow does that, once, on its way out.
/// </summary>
public sealed class PostCallSurvey(SurveyOptions options, IPromptLibrary prompts, TimeProvider time)
{
    public SurveyOptions Options { get; } = options;

    /// <summary>"Thank you" after a rating; returns when it has played or the caller hung up.</summary>
    public async Task ThankAsync(ICallLeg caller, CancellationToken ct)
    {
        if (caller.State != CallLegState.Connected) return;
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnEnded(object? s, CallLegEndedEventArgs e) => gone.TrySetResult();
        caller.Ended += OnEnded;
        try
        {
            if (caller.State == CallLegState.Connected)
                await Task.WhenAny(caller.PlayAsync(prompts.Prompt(Options.ThanksPrompt), ct), gone.Task);
        }
        finally
        {
            caller.Ended -= OnEnded;
        }
    }

    /// <summary>
    /// The survey on <paramref name="leg"/> when it is due: <c>Survey:Enabled</c> (or the agent asked for it) and the
    /// leg is still connected; null when it does not run. Inbound and outbound calls alike (DOMAIN.md).
    /// </summary>
    public async Task<SatisfactionScore?> RunIfDueAsync(ICallLeg leg, bool requested, CancellationToken ct)
    {
        if (!(Options.Enabled || requested) || leg.State != CallLegState.Connected) return null;
        return await RunAsync(leg, ct);
    }

    public async Task<SatisfactionScore> RunAsync(ICallLeg caller, CancellationToken ct)
    {
        var keys = Channel.CreateUnbounded<char>();
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnDtmf(object? s, DtmfEventArgs e) => keys.Writer.TryWrite(e.Digit);
        void OnEnded(object? s, CallLegEndedEventArgs e) => gone.TrySetResult();
        caller.Dtmf += OnDtmf;
        caller.Ended += OnEnded;
        if (caller.State == CallLegState.Ended) gone.TrySetResult();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            if (gone.Task.IsCompleted) return SatisfactionScore.NotRated;
            var prompt = caller.PlayAsync(prompts.Prompt(Options.Prompt), wait.Token);
            var deadline = (Task?)null;
            while (true)
            {
                var key = keys.Reader.WaitToReadAsync(wait.Token).AsTask();
                await Task.WhenAny(key, gone.Task, deadline ?? prompt);
                if (gone.Task.IsCompleted) return SatisfactionScore.NotRated;
                if (keys.Reader.TryRead(out var digit))
                {
                    if (!Options.Digits.TryGetValue(digit.ToString(), out var score)) continue; // Not a rating key: keep waiting.
                    caller.StopAudio(); // Barge-in.
                    return (SatisfactionScore)(int)score;
                }
                if (deadline is null && prompt.IsCompleted)
                {
                    deadline = Task.Delay(TimeSpan.FromSeconds(Options.TimeoutSeconds), time, wait.Token);
                    continue;
                }
                if (deadline is { IsCompleted: true }) return SatisfactionScore.NotRated;
            }
        }
        finally
        {
            caller.Dtmf -= OnDtmf;
            caller.Ended -= OnEnded;
            await wait.CancelAsync();
        }
    }
}
