using Hotline.Contracts.V1;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.AfterCall;

/// <summary>
/// Applies completed outbound calls that carry a work-order id to their orders (issue 10: callbacks driven by real
/// calls), inside the ingest batch's transaction so the order changes exactly when the call's last event is stored.
/// </summary>
public static class CallbackCalls
{
    public static async Task ApplyAsync(TicketDbContext db, IReadOnlyCollection<CallRecord> calls, DeadlineRules rules, DateTime nowUtc, CancellationToken ct)
    {
        var changed = false;
        foreach (var call in calls)
        {
            if (WorkOrder.ParseReference(call.ForWorkOrderId) is not { } id) continue;
            var order = await db.WorkOrders.FirstOrDefaultAsync(o => o.Id == id, ct);
            if (order is null) continue; // An unknown order: the call stays in the call records only.
            var actor = new Actor(call.AgentId ?? call.FirstResponderAgentId ?? "ingest", string.IsNullOrEmpty(call.AgentId) ? "system" : Auth.Roles.Agent);
            var rating = call.Satisfaction is int s and >= (int)SatisfactionScore.Satisfied and <= (int)SatisfactionScore.NotSatisfied ? (Satisfaction?)s : null;
            var at = call.EndedAt ?? call.AnsweredAt ?? call.OfferedAt ?? nowUtc;
            try
            {
                order.RecordCallbackCall(call.CallId, call.AgentId ?? call.FirstResponderAgentId, call.AnsweredAt is not null, rating, rules, at, actor);
                changed = true;
            }
            catch (WorkOrderRuleException)
            {
                // The order's state does not take a callback (e.g. archived): the call stays in the call records.
            }
        }
        if (changed) await db.SaveChangesAsync(ct);
    }
}
