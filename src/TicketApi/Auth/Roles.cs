namespace Hotline.TicketApi.Auth;

/// <summary>The four roles of an API key.</summary>
public static class Roles
{
    public const string Agent = "agent";
    /// <summary>Department staff: bound to one department id; sees only its own orders, never a 举报 reporter.</summary>
    public const string Department = "department";
    public const string Supervisor = "supervisor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Agent, Department, Supervisor, Admin];
}
