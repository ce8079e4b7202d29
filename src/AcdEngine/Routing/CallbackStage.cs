using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Prompts;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>How a callback overflow ended: who hung up and <c>CallEnded.reason</c>.</summary>
internal sealed record CallbackOutcome(HangupBy By, string Reason);

/// <summary>
/// Callback overflow (<c>Acd:Queues:&lt;name&gt;:Overflow</c> or <c>Acd:BusinessHours:ClosedAction</c> = Callback): the
/// caller keys the number to call back and <c>#</c>, or just <c>#</c> (or nothing) to keep their own;
/// <see cref="CallbackRequested"/> with that number (TicketApi lists it to call back), then the thanks. Its state — the
/// digits keyed so far — lives and dies with one <see cref="RunAsync"/>.
/// </summary>
internal sealed class CallbackStage(CallFlowContext ctx, CallSession session, ICallLeg caller, CallerKeys keys, Task callerGone)
{
    /// <summary>Digits taken at most (E.164 has 15; extensions beyond are cut).</summary>
    public const int MaxDigits = 20;

    /// <summary>Fewer digits than this are no number: the caller's own is kept.</summary>
    public const int MinDigits = 3;

    public async Task<CallbackOutcome> RunAsync(string queue, string why, CancellationToken ct)
    {
        var number = await CollectNumberAsync(ct);
        if (callerGone.IsCompleted && number is null) return new CallbackOutcome(HangupBy.Caller, "abandoned-" + why);
        var callback = string.IsNullOrEmpty(number) ? caller.RemoteUser : number;
        session.Emit(new CallEvent { CallbackRequested = new CallbackRequested { Queue = queue, Number = callback } });
        await caller.PlayUnlessGoneAsync(ctx.Prompts.Prompt(PromptNames.CallbackThanks), callerGone, ct);
        return new CallbackOutcome(HangupBy.System, "callback-" + why);
    }

    /// <summary>Digits until # (at most <see cref="MaxDigits"/>) or a pause; "" for none; null when the caller hung up.</summary>
    private async Task<string?> CollectNumberAsync(CancellationToken ct)
    {
        keys.Clear();
        var digits = new System.Text.StringBuilder();
        var timeout = TimeSpan.FromSeconds(ctx.Options.Ivr.TimeoutSeconds * 2);
        var prompt = caller.PlayAsync(ctx.Prompts.Prompt(PromptNames.CallbackEnterNumber), ct);
        while (digits.Length < MaxDigits)
        {
            var key = await keys.NextAsync(prompt, timeout, ct);
            prompt = Task.CompletedTask;
            if (callerGone.IsCompleted) return null;
            if (key is null or '#') break;
            if (char.IsAsciiDigit(key.Value)) digits.Append(key.Value);
        }
        return digits.Length >= MinDigits ? digits.ToString() : "";
    }
}
