using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Conference;

/// <summary>
/// How ringing a set of contacts ended: the leg that answered and its contact, or the most telling failure (events.proto
/// TransferFailed.reason) and its SIP status; no leg and no failure when stopped (abort or cancellation).
/// </summary>
internal sealed record ContactDialResult(ICallLeg? Leg, string Contact, string? Failure, int SipStatus)
{
    public static readonly ContactDialResult Stopped = new(null, "", null, 0);
}

/// <summary>
/// Rings every contact of a department, a transfer target or a supervisor at once; the first to answer wins, the others
/// are cancelled (or, when they answered a moment later, hung up). Used by the consult and by blind transfers; it has no
/// state beyond one <see cref="DialFirstAsync"/>.
/// </summary>
internal sealed partial class ContactDialer(ITelephony telephony, string hotlineNumber, ILogger logger)
{
    /// <summary>
    /// Rings <paramref name="contacts"/>; stops (<see cref="ContactDialResult.Stopped"/>) when <paramref name="abort"/>
    /// completes or <paramref name="token"/> is cancelled. Nobody dialable → "unreachable" (480).
    /// </summary>
    public async Task<ContactDialResult> DialFirstAsync(
        string callId, string target, IReadOnlyList<string> contacts, string displayName, TimeSpan ringTimeout, Task abort, CancellationToken token)
    {
        var dials = new List<(string Contact, IOutboundCall Dial)>(contacts.Count);
        foreach (var contact in contacts)
        {
            try
            {
                dials.Add((contact, telephony.Dial(contact, new DialOptions
                {
                    CallerId = hotlineNumber,
                    DisplayName = displayName,
                    RingTimeout = ringTimeout,
                    Headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["X-Hotline-Call"] = callId },
                })));
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IOException)
            {
                LogContactUnreachable(logger, callId, target, ex.Message);
            }
        }
        if (dials.Count == 0) return new ContactDialResult(null, "", "unreachable", 480);

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = token.Register(() => stop.TrySetResult());
        var failure = "";
        var status = 0;
        var pending = dials.ToList();
        while (pending.Count > 0)
        {
            await Task.WhenAny(pending.Select(d => (Task)d.Dial.Answered).Append(abort).Append(stop.Task));
            if (abort.IsCompleted || stop.Task.IsCompleted)
            {
                foreach (var d in pending) Release(d.Dial);
                return ContactDialResult.Stopped;
            }
            foreach (var d in pending.Where(d => d.Dial.Answered.IsCompleted).ToList())
            {
                pending.Remove(d);
                var result = d.Dial.Answered.IsCompletedSuccessfully ? d.Dial.Answered.Result : new DialResult(false, 0, "error");
                if (result.IsAnswered)
                {
                    foreach (var other in pending) Release(other.Dial, completedElsewhere: true);
                    return new ContactDialResult(d.Dial.Leg, d.Contact, null, result.SipStatus);
                }
                var reason = FailureReason(result.SipStatus);
                if (MoreTelling(failure, reason) != failure || status == 0) status = result.SipStatus;
                failure = MoreTelling(failure, reason);
            }
        }
        return new ContactDialResult(null, "", failure, status);
    }

    /// <summary>events.proto TransferFailed.reason from a SIP final status.</summary>
    internal static string FailureReason(int sipStatus) => sipStatus switch
    {
        486 or 600 => "busy",
        603 => "declined",
        0 or 408 or 487 => "no-answer",
        _ => "unreachable",
    };

    /// <summary>With several contacts, "busy" says more than "declined", which says more than "no-answer" or "unreachable".</summary>
    internal static string MoreTelling(string a, string b)
    {
        static int Rank(string r) => r switch { "busy" => 4, "declined" => 3, "no-answer" => 2, "unreachable" => 1, _ => 0 };
        return Rank(b) > Rank(a) ? b : a;
    }

    /// <summary>
    /// CANCEL a ringing dial (saying "completed elsewhere" when another contact answered: RFC 3326, no missed call on
    /// that phone); BYE one that answered after another contact won.
    /// </summary>
    private static void Release(IOutboundCall dial, bool completedElsewhere = false)
    {
        if (dial.Answered.IsCompletedSuccessfully && dial.Answered.Result.IsAnswered)
            _ = HangupQuietlyAsync(dial.Leg);
        else if (completedElsewhere)
            dial.CancelCompletedElsewhere();
        else
            dial.Cancel();
    }

    private static async Task HangupQuietlyAsync(ICallLeg leg)
    {
        try
        {
            await leg.HangupAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Best effort: the late answerer may already be gone.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: a contact of department {DepartmentId} could not be dialled: {Error}")]
    private static partial void LogContactUnreachable(ILogger logger, string callId, string departmentId, string error);
}
