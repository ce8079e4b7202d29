using System.Globalization;
using System.Text;
using Hotline.Contracts.V1;

namespace Hotline.TicketApi.Calls;

/// <summary>One call's detail record with the order it created (if any).</summary>
public sealed record CallDetail(CallRecord Call, string? OrderNumber);

/// <summary>
/// Call detail records as CSV, one line per call, in the spirit of Asterisk's <c>Master.csv</c> (docs/ticketapi.md
/// lists the columns). Numbers are masked unless the reader may see them: agents see <c>138****8000</c>, supervisors and
/// admins the full number (DOMAIN.md: a caller's number is personal data).
/// </summary>
public static class CallDetailRecords
{
    public const string Header =
        "call_id,direction,src,dst,queue,agent,start,answer,end,wait_s,talk_s,hold_s,disposition,hangup_by,end_reason,satisfaction,order_number";

    public static string Write(IEnumerable<CallDetail> rows, bool fullNumbers)
    {
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var (c, order) in rows)
        {
            string[] fields =
            [
                c.CallId, ((CallDirection)c.Direction).ToString(), Number(c.CallerNumber, fullNumbers), Number(c.DialedNumber, fullNumbers || c.Direction != (int)CallDirection.Outbound), // Inbound: our own number.
                c.Queue ?? "", c.AgentId ?? "", Time(c.OfferedAt ?? c.QueuedAt), Time(c.AnsweredAt), Time(c.EndedAt),
                Seconds(c.WaitMs ?? 0), Seconds(c.TalkMs), Seconds(c.HoldMs), Disposition(c),
                c.HangupBy is { } h ? ((HangupBy)h).ToString() : "", c.EndReason ?? "",
                c.Satisfaction is { } s ? ((SatisfactionScore)s).ToString() : "", order ?? "",
            ];
            csv.AppendJoin(',', fields.Select(Quote)).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>Asterisk's dispositions: ANSWERED, NO ANSWER (gave up in the menu, queue or ringing), FAILED (never offered).</summary>
    public static string Disposition(CallRecord c) => c switch
    {
        { AnsweredAt: not null } => "ANSWERED",
        { AbandonedAt: not null } => "NO ANSWER",
        { EndedAt: not null } => "FAILED",
        _ => "IN PROGRESS",
    };

    /// <summary>Keeps the first 3 and last 4 digits of a number longer than 7 (138****8000); shorter ones become ****.</summary>
    public static string Number(string? number, bool full)
    {
        if (string.IsNullOrEmpty(number) || full) return number ?? "";
        return number.Length > 7 ? number[..3] + new string('*', number.Length - 7) + number[^4..] : "****";
    }

    private static string Time(DateTime? at) => at is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "";

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180 quoting; a leading = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.</summary>
    private static string Quote(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
