using Hotline.AcdEngine.Prompts;
using Hotline.AcdEngine.Tracking;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// Voicemail overflow (issue 6; <c>Acd:Queues:&lt;name&gt;:Overflow</c> or <c>Acd:BusinessHours:ClosedAction</c> =
/// Voicemail): prompt, beep, the caller's leg recorded until #, hang-up or <c>Acd:Voicemail:MaxSeconds</c>; then
/// <see cref="VoicemailLeft"/>, which TicketApi turns into a voicemail work order.
/// </summary>
public sealed partial class InboundCallFlow
{
    /// <summary>The call's outcome, or null when no voicemail can be taken here (the caller gets the apology).</summary>
    private async Task<(HangupBy, string, TimeSpan)?> VoicemailAsync(string why, CancellationToken ct)
    {
        var options = _ctx.Options.Voicemail;
        if (_ctx.Voicemail is not { } box) return null;
        if (!await PlayAsync(_ctx.Prompts.Prompt(options.Prompt), ct) || !await PlayAsync(_ctx.Prompts.Prompt(options.Beep), ct))
            return (HangupBy.Caller, "abandoned-" + why, TimeSpan.Zero);
        string path;
        try
        {
            path = box.NewMessagePath(CallId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogVoicemailFailed(_ctx.Logger, ex, CallId);
            return null;
        }
        if (!_caller.StartRecording(path))
        {
            LogVoicemailUnsupported(_ctx.Logger, CallId);
            return null;
        }
        _keys.Clear(); // Keys pressed during the prompt do not end the message.
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            await Task.WhenAny(_keys.UntilHashAsync(stop.Token), _callerGone.Task, Task.Delay(TimeSpan.FromSeconds(options.MaxSeconds), _ctx.Time, stop.Token));
            await stop.CancelAsync();
        }
        _caller.StopRecording();
        var callerLeft = _callerGone.Task.IsCompleted;
        var message = VoicemailBox.Measure(path);
        if (message is null || message.Duration < TimeSpan.FromSeconds(options.MinSeconds))
        {
            if (message is not null) VoicemailBox.Discard(path);
            if (!callerLeft) await PlayAsync(_ctx.Prompts.Prompt(PromptNames.Goodbye), ct);
            return (callerLeft ? HangupBy.Caller : HangupBy.System, "abandoned-" + why, TimeSpan.Zero);
        }
        _session.Emit(new CallEvent { VoicemailLeft = new VoicemailLeft { Queue = _queue, Location = message.Location, DurationMs = CallTimeline.Ms(message.Duration) } });
        LogVoicemail(_ctx.Logger, CallId, _queue, (long)message.Duration.TotalMilliseconds);
        if (!callerLeft) await PlayAsync(_ctx.Prompts.Prompt(options.ThanksPrompt), ct);
        return (callerLeft ? HangupBy.Caller : HangupBy.System, "voicemail-" + why, TimeSpan.Zero);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} left a voicemail in {Queue} ({DurationMs} ms)")]
    private static partial void LogVoicemail(ILogger logger, string callId, string queue, long durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: this telephony cannot record the caller's leg; no voicemail, the caller hears the apology")]
    private static partial void LogVoicemailUnsupported(ILogger logger, string callId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId}: the voicemail folder cannot be written; the caller hears the apology")]
    private static partial void LogVoicemailFailed(ILogger logger, Exception ex, string callId);
}
