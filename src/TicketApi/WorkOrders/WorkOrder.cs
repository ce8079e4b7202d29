using Hotline.TicketApi.Catalogue;

namespace Hotline.TicketApi.WorkOrders;

/// <summary>
/// A numbered work order (工单) and DOMAIN.md's lifecycle rules. Every step is a method that refuses an
/// illegal transition with <see cref="WorkOrderRuleException"/> and appends one <see cref="AuditEntry"/>.
/// </summary>
public sealed partial class WorkOrder
{
    private WorkOrder() { }

    public long Id { get; private set; }
    /// <summary>The order's number as people quote it (from its id).</summary>
    public string Number => $"WO{Id:D8}";
    public WorkOrderKind Kind { get; private set; }
    public Channel Channel { get; private set; }
    public WorkOrderStatus Status { get; private set; }
    public string? Nature { get; private set; }
    public bool IsMajor { get; private set; }
    public bool IsEmergency { get; private set; }
    public string? Category { get; private set; }
    public string Content { get; private set; } = "";
    public string? CallerName { get; private set; }
    public string? CallerNumber { get; private set; }
    public string? Address { get; private set; }
    /// <summary>The reporter's identity is hidden from departments (DOMAIN.md: 举报 is confidential).</summary>
    public bool ConfidentialReporter { get; private set; }
    public string? CallId { get; private set; }
    /// <summary>First responder (首问负责制): the agent who took the call.</summary>
    public string? OwnerAgentId { get; private set; }
    public string? DepartmentId { get; private set; }
    public DateTime CreatedAt { get; private set; }
    /// <summary>Hours since the Unix epoch of <see cref="CreatedAt"/>: the metrics group by it in SQL.</summary>
    public long CreatedHour { get; private set; }
    public DateTime? DispatchDueAt { get; private set; }
    public DateTime? FirstDispatchedAt { get; private set; }
    /// <summary>First dispatch within the cut-off (timely dispatch rate).</summary>
    public bool? DispatchedOnTime { get; private set; }
    public DateTime? DeadlineAt { get; private set; }
    public DateTime? RepliedAt { get; private set; }
    /// <summary>First reply within the deadline (on-time reply rate).</summary>
    public bool? RepliedOnTime { get; private set; }
    public string? Reply { get; private set; }
    public int ExtensionsGranted { get; private set; }
    public int? PendingExtensionDays { get; private set; }
    public string? PendingExtensionReason { get; private set; }
    public int ReturnCount { get; private set; }
    public int ReworkCount { get; private set; }
    public int ReopenCount { get; private set; }
    public DateTime? CallbackDueAt { get; private set; }
    public DateTime? CalledBackAt { get; private set; }
    /// <summary>First callback within 3 days of the reply (timely callback rate).</summary>
    public bool? CalledBackOnTime { get; private set; }
    public Satisfaction? CallbackSatisfaction { get; private set; }
    public string? Resolution { get; private set; }
    public DateTime? ClosedAt { get; private set; }
    public DateTime? ArchivedAt { get; private set; }
    public bool Supervised { get; private set; }
    /// <summary>A complaint about the hotline itself (DOMAIN.md complaint rate: valid complaints about the hotline ÷ valid calls).</summary>
    public bool AboutHotline { get; private set; }
    /// <summary>End of the local day the order was received: an SMS answered before it was answered the same day (SMS reply rate).</summary>
    public DateTime? ReceivedDayEndsAt { get; private set; }
    /// <summary>First answer to the caller: closed on the spot, or called back with the department's reply (reply rate).</summary>
    public DateTime? CallerAnsweredAt { get; private set; }
    /// <summary>The first answer came the same local day the order was received.</summary>
    public bool? CallerAnsweredSameDay { get; private set; }
    public int Version { get; private set; }
    public List<AuditEntry> Audit { get; private set; } = [];

    public bool IsOverdue(DateTime nowUtc) =>
        (Status == WorkOrderStatus.Dispatched && DeadlineAt < nowUtc)
        || (Status is WorkOrderStatus.Registered or WorkOrderStatus.Returned && DispatchDueAt < nowUtc);

    /// <summary>Accept (受理) a matter: it becomes a registered order with its dispatch cut-off.</summary>
    public static WorkOrder Register(NewWorkOrder details, NatureDefinition? nature, DeadlineRules rules, DateTime nowUtc, Actor actor)
    {
        var order = new WorkOrder
        {
            Kind = details.Kind,
            Channel = details.Channel,
            Status = WorkOrderStatus.Registered,
            Nature = nature?.Code,
            IsMajor = details.IsMajor,
            IsEmergency = details.IsEmergency,
            Category = details.Category,
            Content = details.Content ?? "",
            CallerName = details.CallerName,
            CallerNumber = details.CallerNumber,
            Address = details.Address,
            ConfidentialReporter = nature?.ConfidentialReporter ?? false,
            CallId = details.CallId,
            OwnerAgentId = details.OwnerAgentId,
            CreatedAt = nowUtc,
            CreatedHour = (long)(nowUtc - DateTime.UnixEpoch).TotalHours,
            DispatchDueAt = rules.DispatchDue(nowUtc, details.IsEmergency),
            // Only a complaint can be a complaint about the hotline.
            AboutHotline = details.AboutHotline && string.Equals(nature?.Code, ComplaintNature, StringComparison.Ordinal),
            ReceivedDayEndsAt = rules.EndOfLocalDay(nowUtc),
        };
        order.Record(nowUtc, actor, "register", null, $"kind: {order.Kind}; channel: {order.Channel}; nature: {order.Nature}");
        return order;
    }

    /// <summary>Fills in the matter's classification and content (while the hotline holds it).</summary>
    public void Classify(NatureDefinition? nature, string? category, string? content, bool? major, DateTime nowUtc, Actor actor)
    {
        Require(Status is WorkOrderStatus.Registered or WorkOrderStatus.Returned, "classify", "only a registered or returned order can be reclassified");
        var before = Status;
        var detail = new List<string>();
        if (nature is not null && nature.Code != Nature)
        {
            detail.Add($"nature: {Nature} → {nature.Code}");
            Nature = nature.Code;
            ConfidentialReporter = nature.ConfidentialReporter;
        }
        if (category is not null && category != Category) { detail.Add($"category: {Category} → {category}"); Category = category; }
        if (content is not null && content != Content) { detail.Add("content changed"); Content = content; }
        if (major is bool m && m != IsMajor) { detail.Add($"major: {IsMajor} → {m}"); IsMajor = m; }
        if (detail.Count > 0) Record(nowUtc, actor, "classify", before, string.Join("; ", detail));
    }

    /// <summary>DOMAIN.md step 1: "calls answered on the spot are registered and closed at once".</summary>
    public void CloseOnTheSpot(string resolution, DateTime nowUtc, Actor actor)
    {
        Require(Status is WorkOrderStatus.Registered or WorkOrderStatus.Returned, "close", "only an order the hotline still holds (registered or returned) can be closed on the spot");
        RequireText(resolution, "a resolution");
        var before = Status;
        Status = WorkOrderStatus.Closed;
        Resolution = resolution;
        ClosedAt = nowUtc;
        MarkCallerAnswered(nowUtc);
        Record(nowUtc, actor, "close", before, $"resolution: {resolution}");
    }

    /// <summary>DOMAIN.md step 2–3: dispatch (转办) with a deadline in working days by nature.</summary>
    public void Dispatch(string departmentId, NatureDefinition nature, DeadlineRules rules, DateTime nowUtc, Actor actor)
    {
        Require(Status is WorkOrderStatus.Registered or WorkOrderStatus.Returned, "dispatch", "only a registered or returned order can be dispatched");
        RequireText(departmentId, "a department");
        if (Status == WorkOrderStatus.Returned && string.Equals(departmentId, DepartmentId, StringComparison.Ordinal))
            throw new WorkOrderRuleException($"Cannot dispatch: department '{departmentId}' has just returned this order; choose another department.");
        var before = Status;
        var previous = DepartmentId;
        Nature = nature.Code;
        ConfidentialReporter = nature.ConfidentialReporter;
        DepartmentId = departmentId;
        Status = WorkOrderStatus.Dispatched;
        if (FirstDispatchedAt is null)
        {
            FirstDispatchedAt = nowUtc;
            DispatchedOnTime = DispatchDueAt is null || nowUtc <= DispatchDueAt;
        }
        DeadlineAt = rules.ReplyDeadline(nowUtc, IsMajor ? nature.MajorDeadlineWorkingDays : nature.DeadlineWorkingDays);
        PendingExtensionDays = null;
        PendingExtensionReason = null;
        Record(nowUtc, actor, "dispatch", before, $"department: {previous} → {departmentId}; deadline: {DeadlineAt:O}");
    }

    /// <summary>DOMAIN.md step 4: the department sends the order back (wrong department) with a reason.</summary>
    public void Return(string reason, DateTime nowUtc, Actor actor)
    {
        Require(Status == WorkOrderStatus.Dispatched, "return", "only a dispatched order can be returned");
        RequireOwnDepartment(actor, "return");
        RequireText(reason, "a reason");
        Status = WorkOrderStatus.Returned;
        ReturnCount++;
        // DOMAIN.md step 2: a returned order is re-dispatched; give the hotline a fresh cut-off.
        DispatchDueAt = nowUtc > DispatchDueAt ? nowUtc + DeadlineRules.EmergencyDispatch * 2 : DispatchDueAt;
        Record(nowUtc, actor, "return", WorkOrderStatus.Dispatched, $"department: {DepartmentId}; reason: {reason}");
    }

    /// <summary>DOMAIN.md step 5: the department asks, with reason, for at most 7 more days.</summary>
    public void RequestExtension(int days, string reason, DateTime nowUtc, Actor actor)
    {
        Require(Status == WorkOrderStatus.Dispatched, "request an extension for", "only a dispatched order can be extended");
        RequireOwnDepartment(actor, "request an extension for");
        RequireText(reason, "a reason");
        if (days is < 1 or > DeadlineRules.MaxExtensionDays)
            throw new WorkOrderRuleException($"Cannot request an extension of {days} days: DOMAIN.md allows 1 to {DeadlineRules.MaxExtensionDays} days.");
        if (PendingExtensionDays is not null)
            throw new WorkOrderRuleException("Cannot request an extension: one is already waiting for a decision.");
        PendingExtensionDays = days;
        PendingExtensionReason = reason;
        Record(nowUtc, actor, "extension-request", Status, $"days: {days}; reason: {reason}; extensions granted so far: {ExtensionsGranted}");
    }

    /// <summary>DOMAIN.md step 5: the dispatcher approves or refuses; a second extension needs a supervisor.</summary>
    public void DecideExtension(bool approve, string reason, DeadlineRules rules, DateTime nowUtc, Actor actor)
    {
        Require(Status == WorkOrderStatus.Dispatched && PendingExtensionDays is not null, "decide an extension for", "no extension request is waiting");
        RequireText(reason, "a reason");
        if (approve && ExtensionsGranted >= 1 && !actor.IsSupervisor)
            throw new WorkOrderRuleException("Cannot approve: a second extension needs supervisor approval (DOMAIN.md step 5).");
        var days = PendingExtensionDays!.Value;
        var before = DeadlineAt;
        if (approve)
        {
            DeadlineAt = rules.Extend(DeadlineAt!.Value, days);
            ExtensionsGranted++;
        }
        PendingExtensionDays = null;
        PendingExtensionReason = null;
        Record(nowUtc, actor, approve ? "extension-approve" : "extension-refuse", Status,
            $"days: {days}; reason: {reason}; deadline: {before:O} → {DeadlineAt:O}");
    }

    /// <summary>DOMAIN.md step 6: the department replies with the outcome.</summary>
    public void ReplyWith(string reply, DateTime nowUtc, Actor actor)
    {
        Require(Status == WorkOrderStatus.Dispatched, "reply to", "only a dispatched order can be replied to");
        RequireOwnDepartment(actor, "reply to");
        RequireText(reply, "a reply");
        Status = WorkOrderStatus.Replied;
        Reply = reply;
        RepliedAt = nowUtc;
        RepliedOnTime ??= nowUtc <= DeadlineAt;
        PendingExtensionDays = null;
        PendingExtensionReason = null;
        Record(nowUtc, actor, "reply", WorkOrderStatus.Dispatched, $"on time: {nowUtc <= DeadlineAt}");
    }

    /// <summary>DOMAIN.md step 6: the hotline accepts the reply; the callback is due within 3 days.</summary>
    public void Review(string? note, DateTime nowUtc, Actor actor)
    {
        Require(Status == WorkOrderStatus.Replied, "review", "only a replied order can be reviewed");
        Status = WorkOrderStatus.Reviewed;
        CallbackDueAt = RepliedAt!.Value + DeadlineRules.CallbackWindow;
        Record(nowUtc, actor, "review", WorkOrderStatus.Replied, $"callback due: {CallbackDueAt:O}; note: {note}");
    }

    /// <summary>DOMAIN.md step 6: the hotline sends the reply back for rework (退回重办).</summary>
    public void Rework(string reason, DateTime nowUtc, Actor actor)
    {
        Require(Status == WorkOrderStatus.Replied, "send back for rework", "only a replied order can be sent back for rework");
        RequireText(reason, "a reason");
        Status = WorkOrderStatus.Dispatched;
        ReworkCount++;
        Record(nowUtc, actor, "rework", WorkOrderStatus.Replied, $"reason: {reason}; rework count: {ReworkCount}");
    }

    /// <summary>DOMAIN.md step 7: callback with the caller's rating; not satisfied reopens the order.</summary>
    public void Callback(Satisfaction satisfaction, string? note, DeadlineRules rules, DateTime nowUtc, Actor actor)
    {
        Require(Status == WorkOrderStatus.Reviewed, "call back", "only a reviewed order can be called back");
        CalledBackAt = nowUtc;
        CalledBackOnTime ??= nowUtc <= CallbackDueAt;
        CallbackSatisfaction = satisfaction;
        MarkCallerAnswered(nowUtc);
        if (satisfaction == Satisfaction.NotSatisfied)
        {
            Status = WorkOrderStatus.Registered;   // reopened: to be dispatched again
            ReopenCount++;
            DispatchDueAt = rules.DispatchDue(nowUtc, IsEmergency);
        }
        else
        {
            Status = WorkOrderStatus.CalledBack;
        }
        Record(nowUtc, actor, "callback", WorkOrderStatus.Reviewed, $"satisfaction: {satisfaction}; note: {note}");
    }

    /// <summary>DOMAIN.md step 8: supervision (督办) of an overdue, hot or leader-flagged order.</summary>
    public void Supervise(string reason, DateTime nowUtc, Actor actor)
    {
        Require(Status is WorkOrderStatus.Registered or WorkOrderStatus.Returned or WorkOrderStatus.Dispatched, "supervise", "only an open order can be supervised");
        if (!actor.IsSupervisor) throw new WorkOrderRuleException("Cannot supervise: only a supervisor can supervise an order.");
        RequireText(reason, "a reason");
        Supervised = true;
        Record(nowUtc, actor, "supervise", Status, $"reason: {reason}; overdue: {IsOverdue(nowUtc)}");
    }

    /// <summary>DOMAIN.md step 9: archive a finished order.</summary>
    public void Archive(DateTime nowUtc, Actor actor)
    {
        Require(Status is WorkOrderStatus.Closed or WorkOrderStatus.CalledBack, "archive", "only a closed or called-back order can be archived");
        var before = Status;
        Status = WorkOrderStatus.Archived;
        ArchivedAt = nowUtc;
        Record(nowUtc, actor, "archive", before, "");
    }

    /// <summary>The catalogue code of a complaint (投诉).</summary>
    public const string ComplaintNature = "complaint";

    /// <summary>DOMAIN.md reply rate and SMS reply rate: the first answer the caller got, and whether it came the same day.</summary>
    private void MarkCallerAnswered(DateTime nowUtc)
    {
        if (CallerAnsweredAt is not null) return;
        CallerAnsweredAt = nowUtc;
        CallerAnsweredSameDay = ReceivedDayEndsAt is null || nowUtc < ReceivedDayEndsAt;
    }

    private void Require(bool condition, string step, string why)
    {
        if (!condition) throw new WorkOrderRuleException($"Cannot {step} order {Number} in status {Status}: {why}.");
    }

    private void RequireOwnDepartment(Actor actor, string step)
    {
        if (actor.Role == Auth.Roles.Department && !string.Equals(actor.DepartmentId, DepartmentId, StringComparison.Ordinal))
            throw new WorkOrderRuleException($"Cannot {step} order {Number}: it is dispatched to another department.");
    }

    private static void RequireText(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new WorkOrderRuleException($"The step needs {what}.");
    }

    private void Record(DateTime nowUtc, Actor actor, string action, WorkOrderStatus? before, string detail)
    {
        Version++;
        Audit.Add(new AuditEntry
        {
            At = nowUtc, ActorId = actor.Id, ActorRole = actor.Role, Action = action,
            StatusBefore = before, StatusAfter = Status, Detail = detail,
        });
    }
}

/// <summary>What is known when an order is registered.</summary>
public sealed record NewWorkOrder(
    WorkOrderKind Kind, Channel Channel, string? Content,
    string? Category = null, string? CallerName = null, string? CallerNumber = null, string? Address = null,
    bool IsMajor = false, bool IsEmergency = false, string? CallId = null, string? OwnerAgentId = null, bool AboutHotline = false);
