using Hotline.TicketApi.WorkOrders;

namespace Hotline.TicketApi.Api;

public sealed record RegisterRequest(
    Channel? Channel, WorkOrderKind? Kind, string? Content, string? Nature, string? Category, string? CallerName,
    string? CallerNumber, string? Address, bool Major = false, bool Emergency = false, string? CallId = null,
    bool AboutHotline = false);
public sealed record CloseRequest(string? Resolution, string? Nature, string? Category, string? Content);
public sealed record DispatchRequest(string? DepartmentId, string? Nature, string? Category, string? Content, bool? Major);
public sealed record ReasonRequest(string? Reason);
public sealed record ExtensionRequest(int? Days, string? Reason);
public sealed record ExtensionDecisionRequest(bool? Approve, string? Reason);
public sealed record ReplyRequest(string? Reply);
public sealed record ReviewRequest(string? Note);
public sealed record CallbackRequest(Satisfaction? Satisfaction, string? Note);
