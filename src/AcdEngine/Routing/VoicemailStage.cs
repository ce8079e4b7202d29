using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Prompts;
using Hotline.AcdEngine.Tracking;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Hotline.Cti.Media;

namespace Hotline.AcdEngine.Routing;

/// <summary>How a voicemail overflow ended: who hung up and <c>CallEnded.reason</c>.</summary>
internal sealed record VoicemailOutcome(HangupBy By, string Reason);

/// <summary>
/// Voicemail overflow (issue 6; <c>Acd:Queues:&lt;name&gt;:Overflow</c> or <c>Acd:BusinessHours:ClosedAction</c> =
/// Voicemail): prompt, beep, the caller's leg recorded until #, hang-up or <c>Acd:Voicemail:MaxSeconds</c>; shorter than
/// <c>MinSeconds</c> → discarded; else <see cref="VoicemailLeft"/>, which TicketApi turns into a voicemail work order.
/// Its state — the message file being recorded and its deadline — lives and dies with one <see cref="RunAsync"/>.
/// </summary>
internal sealed partial class VoicemailStage(CallFlowContext ctx, CallSession session, ICallLeg caller, CallerKeys keys, Task callerGone)
{
    /// <summary>The call's outcome, or null when no voicemail can be taken here (the caller gets the apology).</summary>
    public async Task<VoicemailOutcome?> RunAsync(string queue, string why, CancellationToken ct)
    {
        var options = ctx.Options.Voicemail;
        if (ctx.Voicemail is not { } box) return null;
        if (!await PlayAsync(ctx.Prompts.Prompt(options.Prompt), ct) || !await PlayAsync(ctx.Prompts.Prompt(options.Beep), ct))
            return new VoicemailOutcome(HangupBy.Caller, "abandoned-" + why);
        string path;
        try
        {
            path = box.NewMessagePath(session.CallId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogVoicemailFailed(ctx.Logger, ex, session.CallId);
            return null;
        }
        if (!caller.StartRecording(path))
        {
            LogVoicemailUnsupported(ctx.Logger, session.CallId);
            return null;
        }
        keys.Clear(); // Keys pressed during the prompt do not end the message.
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            await Task.WhenAny(keys.UntilHashAsync(stop.Token), callerGone, Task.Delay(TimeSpan.FromSeconds(options.MaxSeconds), ctx.Time, stop.Token));
            await stop.CancelAsync();
        }
        caller.StopRecording();
        var callerLeft = callerGone.IsCompleted;
        var message = VoicemailBox.Measure(path);
        if (message is null || message.Duration < TimeSpan.FromSeconds(options.MinSeconds))
        {
            if (message is not null) VoicemailBox.Discard(path);
            if (!callerLeft) await PlayAsync(ctx.Prompts.Prompt(PromptNames.Goodbye), ct);
            return new VoicemailOutcome(callerLeft ? HangupBy.Caller : HangupBy.System, "abandoned-" + why);
        }
        session.Emit(new CallEvent { VoicemailLeft = new VoicemailLeft { Queue = queue, Location = message.Location, DurationMs = CallTimeline.Ms(message.Duration) } });
        LogVoicemail(ctx.Logger, session.CallId, queue, (long)message.Duration.TotalMilliseconds);
        if (!callerLeft) await PlayAsync(ctx.Prompts.Prompt(options.ThanksPrompt), ct);
        return new VoicemailOutcome(callerLeft ? HangupBy.Caller : HangupBy.System, "voicemail-" + why);
    }

    private Task<bool> PlayAsync(IAudioSource source, CancellationToken ct) => caller.PlayUnlessGoneAsync(source, callerGone, ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} left a voicemail in {Queue} ({DurationMs} ms)")]
    private static partial void LogVoicemail(ILogger logger, string callId, string queue, long durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: this telephony cannot record the caller's leg; no voicemail, the caller hears the apology")]
    private static partial void LogVoicemailUnsupported(ILogger logger, string callId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId}: the voicemail folder cannot be written; the caller hears the apology")]
    private static partial void LogVoicemailFailed(ILogger logger, Exception ex, string callId);
}
