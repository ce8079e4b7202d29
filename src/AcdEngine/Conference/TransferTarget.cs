using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Dialing;

namespace Hotline.AcdEngine.Conference;

/// <summary>
/// Where a blind transfer (SIP REFER from the agent's phone, RFC 3515) goes: a department (by code or id), another
/// agent (by SIP user or id), or an external number the outbound dial plan allows. <see cref="Party"/> is the
/// events.proto name of the target ("department:water", "agent:a2", or the gateway SIP URI).
/// </summary>
internal sealed record TransferTarget(string Party, IReadOnlyList<string> Contacts, TimeSpan RingTimeout, string? DepartmentId, string? AgentId)
{
    /// <summary>
    /// Resolves the Refer-To user. Refusals give the REFER's status: 404 unknown target, 480 department closed,
    /// 486 target agent not ready, 403 the dial plan forbids the number or the agent transfers to themself.
    /// </summary>
    public static bool TryResolve(DepartmentDirectory? departments, AgentRoster roster, int ringTimeoutSeconds, DialPlan? dialPlan, string user, string fromAgentId, DateTimeOffset now,
        out TransferTarget? target, out int refuseStatus, out string why)
    {
        target = null;
        refuseStatus = 0;
        why = "";
        if (user.Length == 0) { refuseStatus = 404; why = "no user in Refer-To"; return false; }
        if (departments is { } directory && (directory.FindByCode(user) ?? directory.FindById(user)) is { } department)
        {
            if (!directory.IsOpen(department, now)) { refuseStatus = 480; why = "department closed"; return false; }
            target = new TransferTarget("department:" + department.Id, department.Contacts,
                TimeSpan.FromSeconds(directory.Options.RingTimeoutSeconds), department.Id, null);
            return true;
        }
        var agent = roster.FindByUser(user) ?? roster.All().FirstOrDefault(a => a.Id == user);
        if (agent is not null)
        {
            if (agent.Id == fromAgentId) { refuseStatus = 403; why = "transfer to oneself"; return false; }
            target = new TransferTarget("agent:" + agent.Id, [agent.User], TimeSpan.FromSeconds(ringTimeoutSeconds), null, agent.Id);
            return true;
        }
        if (dialPlan is { } plan && user.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' '))
        {
            if (!plan.TryResolve(user, out _, out var uri, out var error)) { refuseStatus = 403; why = error; return false; }
            var ring = departments?.Options.RingTimeoutSeconds ?? ringTimeoutSeconds;
            target = new TransferTarget(uri, [uri], TimeSpan.FromSeconds(ring), null, null);
            return true;
        }
        refuseStatus = 404;
        why = "unknown transfer target";
        return false;
    }

    /// <summary>
    /// STYLE.md: no full phone numbers at Information level — an external target's number (<c>sip:number@host</c>)
    /// keeps its last four digits, as <c>Routing.CallerNumber</c> masks a caller's (not referenced: Conference sits below Routing).
    /// </summary>
    public static string Masked(string party)
    {
        if (!party.StartsWith("sip:", StringComparison.OrdinalIgnoreCase)) return party;
        var at = party.IndexOf('@', StringComparison.Ordinal);
        if (at < 0) return party;
        var number = party[4..at];
        var masked = number.Length <= 4 ? new string('*', number.Length) : new string('*', number.Length - 4) + number[^4..];
        return "sip:" + masked + party[at..];
    }
}
