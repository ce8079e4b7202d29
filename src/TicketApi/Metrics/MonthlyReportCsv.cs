using System.Globalization;
using System.Text;

namespace Hotline.TicketApi.Metrics;

/// <summary>The monthly report as CSV: one row per group, then the total; exclusions listed at the end.</summary>
public static class MonthlyReportCsv
{
    private static readonly string[] Header =
    [
        "group", "offered", "answered", "answeredWithinServiceLevel", "abandoned", "averageSpeedOfAnswerSeconds",
        "connectionRate", "timelyAnswerRate", "satisfaction", "timelyDispatchRate", "onTimeReplyRate", "reworkRate",
        "timelyCallbackRate", "callbackSatisfactionRate", "smsReceived", "smsReplyRate", "hotlineComplaints", "complaintRate",
        "orders", "replyRate", "returns", "flaggedOverdue", "qualityScored", "qualityScore",
    ];

    public static string Write(MetricsReport report)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', Header));
        foreach (var g in report.Groups) Row(sb, g);
        Row(sb, report.Total);
        foreach (var w in report.Exclusions)
            sb.AppendLine(CultureInfo.InvariantCulture, $"excluded,{w.From:O},{w.To:O},{Quote(w.Reason)}");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, Indicators i)
    {
        sb.AppendJoin(',', Quote(i.Key), N(i.Offered), N(i.Answered), N(i.AnsweredWithinServiceLevel), N(i.Abandoned),
            D(i.AverageSpeedOfAnswerSeconds), D(i.ConnectionRate), D(i.TimelyAnswerRate), D(i.Satisfaction),
            D(i.TimelyDispatchRate), D(i.OnTimeReplyRate), D(i.ReworkRate), D(i.TimelyCallbackRate), D(i.CallbackSatisfactionRate),
            N(i.SmsReceived), D(i.SmsReplyRate), N(i.HotlineComplaints), D(i.ComplaintRate), N(i.Orders), D(i.ReplyRate), N(i.Returns), N(i.FlaggedOverdue),
            N(i.QualityScored), D(i.QualityScore));
        sb.AppendLine();
    }

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string D(double? v) => v?.ToString("0.####", CultureInfo.InvariantCulture) ?? "";

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 && !s.StartsWith('=') ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
