using Hotline.TicketApi.Data;
namespace Hotline.TicketApi.Metrics;

/// <summary>Counts behind the indicators of one group; the rates are derived (DOMAIN.md "performance standard").</summary>
public sealed class Indicators
{
    public string Key { get; init; } = "";
    public long Offered { get; set; }
    public long Answered { get; set; }
    public long AnsweredWithinServiceLevel { get; set; }
    public long Abandoned { get; set; }
    public long AnswerWaitMsTotal { get; set; }
    public long Rated { get; set; }
    public long Satisfied { get; set; }
    public long OrdersToDispatch { get; set; }
    public long DispatchedOnTime { get; set; }
    public long RepliesDue { get; set; }
    public long RepliedOnTime { get; set; }
    public long OrdersHandled { get; set; }
    public long Reworked { get; set; }
    public long CallbacksDue { get; set; }
    public long CalledBackOnTime { get; set; }
    public long CalledBack { get; set; }
    public long CallbackSatisfied { get; set; }
    public long SmsReceived { get; set; }
    public long SmsAnsweredSameDay { get; set; }
    /// <summary>Valid calls (complaint rate's denominator): inbound calls an agent answered.</summary>
    public long ValidCalls => Answered;
    public long HotlineComplaints { get; set; }
    public long Orders { get; set; }
    public long OrdersAnswered { get; set; }
    /// <summary>Returns (退回) of orders by their department (DOMAIN.md step 4); with groupBy=department, per department.</summary>
    public long Returns { get; set; }
    /// <summary>Orders the system flagged overdue (DOMAIN.md step 8 督办: past a dispatch cut-off or reply deadline).</summary>
    public long FlaggedOverdue { get; set; }
    /// <summary>Recordings scored in the quality review (issue 17), by the month of their call.</summary>
    public long QualityScored { get; set; }
    /// <summary>Sum of those scores (each out of 100).</summary>
    public long QualityPointsTotal { get; set; }

    /// <summary>Average speed of answer: queue entry to agent answer.</summary>
    public double? AverageSpeedOfAnswerSeconds => Answered == 0 ? null : Math.Round(AnswerWaitMsTotal / 1000.0 / Answered, 3);
    /// <summary>人工接通率: answered by an agent ÷ offered to agents (target ≥ 95 %).</summary>
    public double? ConnectionRate => Rate(Answered, Offered);
    /// <summary>人工应答及时率: answered within 15 s ÷ answered (target ≥ 80 %).</summary>
    public double? TimelyAnswerRate => Rate(AnsweredWithinServiceLevel, Answered);
    /// <summary>Service satisfaction: satisfied ratings ÷ rated calls (target ≥ 98 %).</summary>
    public double? Satisfaction => Rate(Satisfied, Rated);
    /// <summary>转办及时率: dispatched within the cut-off ÷ orders to dispatch (target ≥ 90 %).</summary>
    public double? TimelyDispatchRate => Rate(DispatchedOnTime, OrdersToDispatch);
    /// <summary>按期回复率: replies within deadline ÷ replies due (target ≥ 95 %).</summary>
    public double? OnTimeReplyRate => Rate(RepliedOnTime, RepliesDue);
    /// <summary>退回重办率: orders sent back for rework ÷ orders handled (target ≤ 5 %).</summary>
    public double? ReworkRate => Rate(Reworked, OrdersHandled);
    /// <summary>回访及时率: callbacks within 3 days ÷ callbacks due (target ≥ 95 %).</summary>
    public double? TimelyCallbackRate => Rate(CalledBackOnTime, CallbacksDue);
    /// <summary>Reasonable-demand satisfaction: satisfied ÷ called back (target ≥ 90 %).</summary>
    public double? CallbackSatisfactionRate => Rate(CallbackSatisfied, CalledBack);

    /// <summary>SMS reply rate: SMS answered the same day ÷ SMS received (target 100 %).</summary>
    public double? SmsReplyRate => Rate(SmsAnsweredSameDay, SmsReceived);
    /// <summary>Complaint rate: valid complaints about the hotline ÷ valid calls (target ≤ 2 %).</summary>
    public double? ComplaintRate => Rate(HotlineComplaints, ValidCalls);
    /// <summary>Reply rate: orders with an answer to the caller ÷ orders (target 100 %).</summary>
    public double? ReplyRate => Rate(OrdersAnswered, Orders);

    /// <summary>Quality score: the mean recording score, out of 100 (DOMAIN.md: greeting, attitude, accuracy, hold usage).</summary>
    public double? QualityScore => QualityScored == 0 ? null : Math.Round((double)QualityPointsTotal / QualityScored, 1);

    private static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    public void Add(Indicators o)
    {
        Offered += o.Offered; Answered += o.Answered; AnsweredWithinServiceLevel += o.AnsweredWithinServiceLevel;
        Abandoned += o.Abandoned; AnswerWaitMsTotal += o.AnswerWaitMsTotal; Rated += o.Rated; Satisfied += o.Satisfied;
        OrdersToDispatch += o.OrdersToDispatch; DispatchedOnTime += o.DispatchedOnTime; RepliesDue += o.RepliesDue;
        RepliedOnTime += o.RepliedOnTime; OrdersHandled += o.OrdersHandled; Reworked += o.Reworked;
        CallbacksDue += o.CallbacksDue; CalledBackOnTime += o.CalledBackOnTime; CalledBack += o.CalledBack;
        CallbackSatisfied += o.CallbackSatisfied; SmsReceived += o.SmsReceived; SmsAnsweredSameDay += o.SmsAnsweredSameDay;
        HotlineComplaints += o.HotlineComplaints; Orders += o.Orders; OrdersAnswered += o.OrdersAnswered;
        Returns += o.Returns; FlaggedOverdue += o.FlaggedOverdue;
        QualityScored += o.QualityScored; QualityPointsTotal += o.QualityPointsTotal;
    }
}

/// <summary>How to group the indicators.</summary>
public enum MetricsGrouping { None, Hour, Day, Month, Queue, Agent, Department, Category }

public sealed record ExclusionView(long Id, DateTime From, DateTime To, string Reason);

/// <summary>The report: the period, the exclusions applied (DOMAIN.md: explicit and visible), totals and groups.</summary>
public sealed record MetricsReport(
    DateTime From, DateTime To, MetricsGrouping GroupBy, IReadOnlyList<ExclusionView> Exclusions,
    Indicators Total, IReadOnlyList<Indicators> Groups);
