using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Hotline.TicketApi.Data;

/// <summary>The order counters a rollup row holds, per hour (<see cref="OrderHourRollup"/>) or per UTC day (<see cref="OrderDayRollup"/>).</summary>
public abstract class OrderRollupCounts
{
    public int DispatchedOnTime { get; set; }
    public int DispatchedLate { get; set; }
    public int RepliedOnTime { get; set; }
    public int RepliedLate { get; set; }
    public int Reworked { get; set; }
    public int CalledBackOnTime { get; set; }
    public int CalledBackLate { get; set; }
    public int CallbackSatisfied { get; set; }
    /// <summary>Orders registered (reply rate's denominator).</summary>
    public int Registered { get; set; }
    /// <summary>Orders whose caller got a first answer (reply rate).</summary>
    public int CallerAnswered { get; set; }
    /// <summary>Orders received by SMS (SMS reply rate's denominator).</summary>
    public int SmsReceived { get; set; }
    /// <summary>SMS orders answered the day they came in (SMS reply rate).</summary>
    public int SmsAnsweredSameDay { get; set; }
    /// <summary>Complaints about the hotline itself (complaint rate).</summary>
    public int HotlineComplaints { get; set; }
    /// <summary>Returns (退回) by the department the order was dispatched to (DOMAIN.md step 4: counted per department).</summary>
    public int Returned { get; set; }
    /// <summary>Orders the overdue sweep flagged (DOMAIN.md step 8), under the order's department when flagged.</summary>
    public int FlaggedOverdue { get; set; }

    /// <summary>Counts a newly registered order (also used by the ingest, which inserts orders without change tracking).</summary>
    public void CountRegistration(WorkOrder o)
    {
        Registered++;
        if (o.Channel == Channel.Sms) SmsReceived++;
        if (o.AboutHotline) HotlineComplaints++;
    }

    public void Add(OrderRollupCounts d)
    {
        Registered += d.Registered; CallerAnswered += d.CallerAnswered; SmsReceived += d.SmsReceived;
        SmsAnsweredSameDay += d.SmsAnsweredSameDay; HotlineComplaints += d.HotlineComplaints;
        DispatchedOnTime += d.DispatchedOnTime; DispatchedLate += d.DispatchedLate;
        RepliedOnTime += d.RepliedOnTime; RepliedLate += d.RepliedLate; Reworked += d.Reworked;
        CalledBackOnTime += d.CalledBackOnTime; CalledBackLate += d.CalledBackLate; CallbackSatisfied += d.CallbackSatisfied;
        Returned += d.Returned; FlaggedOverdue += d.FlaggedOverdue;
    }
}

/// <summary>
/// Per-hour counts of the order indicators' completed steps, by one dimension (all, department, category, agent),
/// maintained when an order's first dispatch, first reply, first rework or first callback is saved. What is still
/// open (undispatched, unreplied, not called back) depends on "now" and is counted live from the few open orders.
/// </summary>
public sealed class OrderHourRollup : OrderRollupCounts
{
    public const string All = "all";
    public const string Department = "department";
    public const string Category = "category";
    public const string Agent = "agent";

    /// <summary>"hour|dimension|value".</summary>
    public string Key { get; set; } = "";
    /// <summary>Hours since the Unix epoch of the order's creation.</summary>
    public long Hour { get; set; }
    public string Dimension { get; set; } = "";
    public string Value { get; set; } = "";

    public static string KeyOf(long hour, string dimension, string value) => $"{hour}|{dimension}|{value}";

    /// <summary>What a save of <paramref name="entry"/> adds to the counts (all zero when no first step happened).</summary>
    public static OrderHourRollup? DeltaOf(EntityEntry<WorkOrder> entry)
    {
        T? Before<T>(string name) => (T?)entry.OriginalValues[name];
        var o = entry.Entity;
        var d = new OrderHourRollup();
        var added = entry.State == Microsoft.EntityFrameworkCore.EntityState.Added;
        if ((added || Before<bool?>(nameof(WorkOrder.DispatchedOnTime)) is null) && o.DispatchedOnTime is bool dispatched)
            _ = dispatched ? d.DispatchedOnTime++ : d.DispatchedLate++;
        if ((added || Before<bool?>(nameof(WorkOrder.RepliedOnTime)) is null) && o.RepliedOnTime is bool replied)
            _ = replied ? d.RepliedOnTime++ : d.RepliedLate++;
        if ((added || Before<int>(nameof(WorkOrder.ReworkCount)) == 0) && o.ReworkCount > 0)
            d.Reworked++;
        if ((added || Before<bool?>(nameof(WorkOrder.CalledBackOnTime)) is null) && o.CalledBackOnTime is bool calledBack)
        {
            _ = calledBack ? d.CalledBackOnTime++ : d.CalledBackLate++;
            if (o.CallbackSatisfaction is Satisfaction.Satisfied or Satisfaction.BasicallySatisfied) d.CallbackSatisfied++;
        }
        if (added) d.CountRegistration(o);
        if ((added || Before<DateTime?>(nameof(WorkOrder.CallerAnsweredAt)) is null) && o.CallerAnsweredAt is not null)
        {
            d.CallerAnswered++;
            if (o.Channel == Channel.Sms && o.CallerAnsweredSameDay == true) d.SmsAnsweredSameDay++;
        }
        // Every return counts (an order may bounce off several departments), under the department that returned it:
        // a return leaves DepartmentId on the returning department until the order is re-dispatched.
        var returns = o.ReturnCount - (added ? 0 : Before<int>(nameof(WorkOrder.ReturnCount)));
        if (returns > 0) d.Returned += returns;
        if (o.OverdueFlaggedFor is not null && (added || Before<DateTime?>(nameof(WorkOrder.OverdueFlaggedFor)) != o.OverdueFlaggedFor))
            d.FlaggedOverdue++;
        var any = d.FlaggedOverdue + d.Returned + d.DispatchedOnTime + d.DispatchedLate + d.RepliedOnTime + d.RepliedLate + d.Reworked + d.CalledBackOnTime + d.CalledBackLate
            + d.Registered + d.CallerAnswered;
        return any == 0 ? null : d;
    }

    /// <summary>The four (dimension, value) pairs an order is counted under.</summary>
    public static (string Dimension, string Value)[] DimensionsOf(WorkOrder o) =>
    [
        (All, ""), (Department, o.DepartmentId ?? ""), (Category, o.Category ?? ""), (Agent, o.OwnerAgentId ?? ""),
    ];
}

/// <summary>
/// The same counters per UTC day and dimension (issue 22): the sum of the day's 24 <see cref="OrderHourRollup"/> rows,
/// kept by the same statements in the same transaction (the ingest's upserts, <see cref="TicketDbContext"/>'s save).
/// </summary>
public sealed class OrderDayRollup : OrderRollupCounts
{
    /// <summary>"day|dimension|value".</summary>
    public string Key { get; set; } = "";
    /// <summary>Days since the Unix epoch (UTC) of the order's creation.</summary>
    public long Day { get; set; }
    public string Dimension { get; set; } = "";
    public string Value { get; set; } = "";

    public static string KeyOf(long day, string dimension, string value) => $"{day}|{dimension}|{value}";
}
