using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.WorkOrders;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.WorkOrders;

/// <summary>DOMAIN.md's lifecycle, step by step, in virtual time and without a web host.</summary>
[TestFixture]
public sealed class WorkOrderLifecycleTests
{
    private static readonly CatalogueOptions Catalogue = new();
    private static readonly NatureDefinition Complaint = Catalogue.FindNature("complaint")!;
    private static readonly NatureDefinition Report = Catalogue.FindNature("report")!;
    private static readonly Actor Agent = new("agent-7", Roles.Agent);
    private static readonly Actor Roads = new("roads-desk", Roles.Department, "roads");
    private static readonly Actor Water = new("water-desk", Roles.Department, "water");
    private static readonly Actor Chief = new("chief", Roles.Supervisor);

    private FakeTimeProvider _time = null!;
    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    [SetUp]
    public void SetUp() => _time = new FakeTimeProvider(new DateTimeOffset(Local(2026, 11, 24, 10), TimeSpan.Zero));

    private WorkOrder NewComplaint(bool major = false) => WorkOrder.Register(
        new NewWorkOrder(WorkOrderKind.Matter, Channel.Phone, "Broken streetlight", "urban-construction-environment",
            "Li Lei", "13800001111", "1 Main St", IsMajor: major, OwnerAgentId: "agent-7"),
        Complaint, Rules, Now, Agent);

    [Test]
    public void Full_lifecycle_reaches_archive_with_one_audit_row_per_change()
    {
        var order = NewComplaint();
        _time.Advance(TimeSpan.FromHours(1));
        order.Dispatch("roads", Complaint, Rules, Now, Agent);
        Assert.That(order.DeadlineAt, Is.EqualTo(Local(2026, 11, 28)), "complaint: 3 working days → end of Fri 27 Nov");
        Assert.That(order.DispatchedOnTime, Is.True);
        _time.Advance(TimeSpan.FromDays(1));
        order.ReplyWith("Lamp replaced", Now, Roads);
        order.Review("ok", Now, Agent);
        Assert.That(order.CallbackDueAt, Is.EqualTo(order.RepliedAt!.Value.AddDays(3)));
        _time.Advance(TimeSpan.FromDays(1));
        order.Callback(Satisfaction.Satisfied, null, Rules, Now, Agent);
        order.Archive(Now, Agent);
        Assert.Multiple(() =>
        {
            Assert.That(order.Status, Is.EqualTo(WorkOrderStatus.Archived));
            Assert.That(order.RepliedOnTime, Is.True);
            Assert.That(order.CalledBackOnTime, Is.True);
            Assert.That(order.Audit.Select(a => a.Action), Is.EqualTo(new[] { "register", "dispatch", "reply", "review", "callback", "archive" }));
            Assert.That(order.Audit[1].StatusBefore, Is.EqualTo(WorkOrderStatus.Registered));
            Assert.That(order.Audit[1].StatusAfter, Is.EqualTo(WorkOrderStatus.Dispatched));
            Assert.That(order.Audit[2].ActorId, Is.EqualTo("roads-desk"));
        });
    }

    [Test]
    public void Major_complaint_gets_five_working_days_and_report_ten()
    {
        var major = NewComplaint(major: true);
        major.Dispatch("roads", Complaint, Rules, Now, Agent);
        var report = NewComplaint();
        report.Dispatch("police", Report, Rules, Now, Agent);
        Assert.Multiple(() =>
        {
            Assert.That(major.DeadlineAt, Is.EqualTo(Local(2026, 12, 2)), "5 working days from Tue 24 Nov → end of Tue 1 Dec");
            Assert.That(report.DeadlineAt, Is.EqualTo(Local(2026, 12, 9)));
            Assert.That(report.ConfidentialReporter, Is.True);
        });
    }

    [Test]
    public void Closing_on_the_spot_ends_it_and_it_can_no_longer_be_dispatched()
    {
        var order = NewComplaint();
        order.CloseOnTheSpot("Explained the schedule", Now, Agent);
        var ex = Assert.Throws<WorkOrderRuleException>(() => order.Dispatch("roads", Complaint, Rules, Now, Agent));
        Assert.That(ex!.Message, Does.Contain("Closed").And.Contain("only a registered or returned order"));
        Assert.That(order.Audit, Has.Count.EqualTo(2), "a refused step changes nothing");
    }

    [Test]
    public void Late_dispatch_is_recorded_as_not_timely()
    {
        var order = NewComplaint();   // taken 10:00 → due end of the day
        _time.Advance(TimeSpan.FromDays(1));
        order.Dispatch("roads", Complaint, Rules, Now, Agent);
        Assert.That(order.DispatchedOnTime, Is.False);
    }

    [Test]
    public void Return_needs_a_reason_and_re_dispatch_to_the_same_department_is_refused()
    {
        var order = NewComplaint();
        order.Dispatch("roads", Complaint, Rules, Now, Agent);
        Assert.Throws<WorkOrderRuleException>(() => order.Return(" ", Now, Roads));
        Assert.Throws<WorkOrderRuleException>(() => order.Return("not ours", Now, Water), "another department cannot return it");
        order.Return("Street lights belong to the power bureau", Now, Roads);
        Assert.That(order.Status, Is.EqualTo(WorkOrderStatus.Returned));
        Assert.That(order.ReturnCount, Is.EqualTo(1));
        Assert.Throws<WorkOrderRuleException>(() => order.Dispatch("roads", Complaint, Rules, Now, Agent));
        order.Dispatch("power", Complaint, Rules, Now, Agent);
        Assert.That(order.DepartmentId, Is.EqualTo("power"));
    }

    [Test]
    public void Extension_at_most_seven_days_once_and_a_second_needs_a_supervisor()
    {
        var order = NewComplaint();
        order.Dispatch("roads", Complaint, Rules, Now, Agent);
        var deadline = order.DeadlineAt;
        Assert.Throws<WorkOrderRuleException>(() => order.RequestExtension(8, "need time", Now, Roads));
        order.RequestExtension(2, "parts on order", Now, Roads);
        Assert.Throws<WorkOrderRuleException>(() => order.RequestExtension(2, "again", Now, Roads), "one request at a time");
        order.DecideExtension(true, "fine", Rules, Now, Agent);
        Assert.That(order.DeadlineAt, Is.EqualTo(Local(2026, 12, 2)), "Fri 27 Nov + 2 working days → end of Tue 1 Dec");
        Assert.That(order.DeadlineAt, Is.GreaterThan(deadline!.Value));

        order.RequestExtension(3, "still waiting", Now, Roads);
        var ex = Assert.Throws<WorkOrderRuleException>(() => order.DecideExtension(true, "ok", Rules, Now, Agent));
        Assert.That(ex!.Message, Does.Contain("supervisor"));
        order.DecideExtension(true, "approved by the chief", Rules, Now, Chief);
        Assert.That(order.ExtensionsGranted, Is.EqualTo(2));
    }

    [Test]
    public void Reply_after_the_deadline_is_late_and_the_order_shows_overdue_before_it()
    {
        var order = NewComplaint();
        order.Dispatch("roads", Complaint, Rules, Now, Agent);
        _time.Advance(TimeSpan.FromDays(5));   // Sun 29 Nov: past Fri's deadline
        Assert.That(order.IsOverdue(Now), Is.True);
        order.Supervise("overdue", Now, Chief);
        Assert.Throws<WorkOrderRuleException>(() => order.Supervise("again", Now, Agent), "only supervisors supervise");
        order.ReplyWith("done late", Now, Roads);
        Assert.That(order.RepliedOnTime, Is.False);
        Assert.That(order.Supervised, Is.True);
    }

    [Test]
    public void Rework_sends_it_back_to_the_department_and_counts()
    {
        var order = NewComplaint();
        order.Dispatch("roads", Complaint, Rules, Now, Agent);
        order.ReplyWith("looked at it", Now, Roads);
        order.Rework("no outcome given", Now, Agent);
        Assert.That(order.Status, Is.EqualTo(WorkOrderStatus.Dispatched));
        order.ReplyWith("lamp replaced on 25 Nov", Now, Roads);
        Assert.That(order.ReworkCount, Is.EqualTo(1));
        Assert.That(order.RepliedOnTime, Is.True, "the first reply's timeliness is kept");
    }

    [Test]
    public void Not_satisfied_callback_reopens_and_a_late_callback_is_not_timely()
    {
        var order = NewComplaint();
        order.Dispatch("roads", Complaint, Rules, Now, Agent);
        order.ReplyWith("done", Now, Roads);
        order.Review(null, Now, Agent);
        _time.Advance(TimeSpan.FromDays(4));
        order.Callback(Satisfaction.NotSatisfied, "still dark", Rules, Now, Agent);
        Assert.Multiple(() =>
        {
            Assert.That(order.Status, Is.EqualTo(WorkOrderStatus.Registered));
            Assert.That(order.ReopenCount, Is.EqualTo(1));
            Assert.That(order.CalledBackOnTime, Is.False);
        });
        Assert.Throws<WorkOrderRuleException>(() => order.Archive(Now, Agent));
    }

    [Test]
    public void Steps_out_of_order_are_refused_saying_why()
    {
        var order = NewComplaint();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<WorkOrderRuleException>(() => order.ReplyWith("x", Now, Roads))!.Message, Does.Contain("only a dispatched order"));
            Assert.That(Assert.Throws<WorkOrderRuleException>(() => order.Review(null, Now, Agent))!.Message, Does.Contain("only a replied order"));
            Assert.That(Assert.Throws<WorkOrderRuleException>(() => order.Callback(Satisfaction.Satisfied, null, Rules, Now, Agent))!.Message, Does.Contain("only a reviewed order"));
            Assert.That(Assert.Throws<WorkOrderRuleException>(() => order.Rework("x", Now, Agent))!.Message, Does.Contain("only a replied order"));
            Assert.That(Assert.Throws<WorkOrderRuleException>(() => order.Return("x", Now, Roads))!.Message, Does.Contain("only a dispatched order"));
        });
        Assert.That(order.Status, Is.EqualTo(WorkOrderStatus.Registered));
        Assert.That(order.Audit, Has.Count.EqualTo(1));
    }
}
