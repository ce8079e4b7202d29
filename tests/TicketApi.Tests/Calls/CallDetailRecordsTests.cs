using Hotline.Contracts.V1;
using Hotline.TicketApi.Calls;

namespace Hotline.TicketApi.Tests.Calls;

/// <summary>The CDR export: one line per call, numbers masked for agents, Asterisk-like dispositions.</summary>
[TestFixture]
public sealed class CallDetailRecordsTests
{
    private static readonly DateTime At = new(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);

    private static CallRecord Answered() => new()
    {
        CallId = "c-1", Direction = (int)CallDirection.Inbound, CallerNumber = "13800138000", DialedNumber = "12345", Queue = "general",
        AgentId = "a1", OfferedAt = At, AnsweredAt = At.AddSeconds(6), EndedAt = At.AddSeconds(96), WaitMs = 6000, TalkMs = 85_000,
        HoldMs = 5000, HangupBy = (int)HangupBy.Caller, EndReason = "bye",
    };

    [Test]
    public void An_answered_call_is_one_line_with_times_durations_result_and_order_masked_for_an_agent()
    {
        var csv = CallDetailRecords.Write([new CallDetail(Answered(), "WO00000042")], fullNumbers: false).Split('\n');
        Assert.That(csv[0], Is.EqualTo(CallDetailRecords.Header));
        Assert.That(csv[1], Is.EqualTo(
            "c-1,Inbound,138****8000,12345,general,a1,2026-12-01T09:00:00Z,2026-12-01T09:00:06Z,2026-12-01T09:01:36Z,6.0,85.0,5.0,ANSWERED,Caller,bye,,WO00000042"));
    }

    [Test]
    public void A_supervisor_sees_full_numbers_and_an_abandoned_call_is_no_answer()
    {
        var gaveUp = new CallRecord { CallId = "c-2", CallerNumber = "13900139000", OfferedAt = At, AbandonedAt = At.AddSeconds(30), EndedAt = At.AddSeconds(30) };
        var line = CallDetailRecords.Write([new CallDetail(gaveUp, null)], fullNumbers: true).Split('\n')[1];
        Assert.That(line, Does.StartWith("c-2,Unspecified,13900139000,"));
        Assert.That(line, Does.Contain(",NO ANSWER,"));
    }

    [Test]
    public void Text_that_a_spreadsheet_would_run_is_quoted_and_defused()
    {
        var odd = Answered();
        odd.EndReason = "=HYPERLINK(\"x\",\"y\")";
        var line = CallDetailRecords.Write([new CallDetail(odd, null)], fullNumbers: true).Split('\n')[1];
        Assert.That(line, Does.Contain(",\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\","));
    }
}
