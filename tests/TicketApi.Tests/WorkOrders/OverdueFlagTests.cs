using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.WorkOrders;

/// <summary>The overdue flag (DOMAIN.md step 8): once per deadline, and never a conflict for a person's concurrent step.</summary>
[TestFixture]
public sealed class OverdueFlagTests
{
    private static readonly NatureDefinition Complaint = new CatalogueOptions().FindNature("complaint")!;
    private static readonly Actor Agent = new("a1", Roles.Agent);

    [Test]
    public void An_order_is_flagged_once_per_deadline_and_again_for_a_new_one()
    {
        var order = WorkOrder.Register(new NewWorkOrder(WorkOrderKind.Matter, Channel.Phone, "x"), Complaint, Rules, Local(2026, 11, 24, 10), Agent);
        Assert.That(order.FlagOverdue(Local(2026, 11, 24, 16)), Is.False, "not overdue yet");
        Assert.That(order.FlagOverdue(Local(2026, 11, 25, 9)), Is.True, "past the dispatch cut-off");
        Assert.That(order.FlagOverdue(Local(2026, 11, 25, 10)), Is.False, "the same deadline is flagged once");
        order.Dispatch("roads", Complaint, Rules, Local(2026, 11, 25, 10), Agent);
        Assert.That(order.FlagOverdue(order.DeadlineAt!.Value.AddMinutes(1)), Is.True, "the reply deadline is a new one");
        Assert.That(order.Audit.Count(a => a.Action == "overdue"), Is.EqualTo(2));
        Assert.That(order.Supervised, Is.True);
    }

    [Test]
    public async Task A_persons_step_saved_after_the_sweep_flagged_the_order_is_no_conflict()
    {
        using var store = new TestStore();
        long id;
        await using (var db = store.Create())
        {
            var order = WorkOrder.Register(new NewWorkOrder(WorkOrderKind.Matter, Channel.Phone, "x"), Complaint, Rules, Local(2026, 11, 24, 10), Agent);
            db.WorkOrders.Add(order);
            await db.SaveChangesAsync();
            id = order.Id;
        }
        await using var person = store.Create();
        var seenByPerson = await person.WorkOrders.SingleAsync(o => o.Id == id);
        await using (var sweep = store.Create())
        {
            var o = await sweep.WorkOrders.SingleAsync(x => x.Id == id);
            Assert.That(o.FlagOverdue(Local(2026, 11, 25, 9)), Is.True);
            await sweep.SaveChangesAsync();
        }
        seenByPerson.Dispatch("roads", Complaint, Rules, Local(2026, 11, 25, 9, 5), Agent);
        Assert.DoesNotThrowAsync(() => person.SaveChangesAsync());
        await using var check = store.Create();
        var saved = await check.WorkOrders.Include(o => o.Audit).SingleAsync(o => o.Id == id);
        Assert.That((saved.Status, saved.OverdueFlaggedAt), Is.EqualTo((WorkOrderStatus.Dispatched, (DateTime?)Local(2026, 11, 25, 9))));
        Assert.That(saved.Audit.Select(a => a.Action), Is.EqualTo(new[] { "register", "overdue", "dispatch" }));
    }
}
