using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>The menu's result: the key and its choice, or none (the default queue); or the caller hung up.</summary>
internal sealed record IvrOutcome(bool CallerLeft, string Digits, IvrChoiceOptions? Choice)
{
    public static readonly IvrOutcome Hungup = new(true, "", null);
    public static readonly IvrOutcome NoChoice = new(false, "", null);
}

/// <summary>
/// The IVR stage (docs/acd.md step 2, <c>Acd:Ivr</c>): the menu prompt, a key stops it (barge-in), a configured key →
/// its queue and nature; nothing valid after <c>Retries</c> more tries → no choice (the hotline's default queue). Keys
/// pressed during the greeting do not count. Its state is the attempt count of one <see cref="RunAsync"/>.
/// </summary>
internal sealed class IvrStage(CallFlowContext ctx, ICallLeg caller, CallerKeys keys, Task callerGone)
{
    public async Task<IvrOutcome> RunAsync(CancellationToken ct)
    {
        var ivr = ctx.Options.Ivr;
        for (var attempt = 0; attempt <= ivr.Retries; attempt++)
        {
            keys.Clear();
            var key = await keys.NextAsync(caller.PlayAsync(ctx.Prompts.Prompt(ivr.Prompt), ct), TimeSpan.FromSeconds(ivr.TimeoutSeconds), ct);
            if (callerGone.IsCompleted) return IvrOutcome.Hungup;
            if (key is { } digit && ivr.Options.TryGetValue(digit.ToString(), out var choice))
                return new IvrOutcome(false, digit.ToString(), choice);
        }
        return IvrOutcome.NoChoice;
    }
}
