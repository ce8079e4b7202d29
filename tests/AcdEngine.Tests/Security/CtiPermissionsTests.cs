using System.Security.Claims;
using Hotline.AcdEngine.Security;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Tests.Security;

/// <summary>The CTI rule table of the identity model (docs/security.md), one request at a time.</summary>
[TestFixture]
public sealed class CtiPermissionsTests
{
    private static ClaimsPrincipal User(string role, string? agentId = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Role, role), new(ClaimTypes.Name, "x") };
        if (agentId is not null) claims.Add(new Claim(ApiClaims.AgentId, agentId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
    }

    private static bool Allowed(ClaimsPrincipal user, string method, object request) =>
        CtiPermissions.Refusal(user, "/hotline.v1.Cti/" + method, request) is null;

    [Test]
    public void An_agent_acts_only_for_itself_and_neither_monitors_nor_watches_everyone()
    {
        var a1 = User(ApiRoles.Agent, "a1");
        Assert.Multiple(() =>
        {
            Assert.That(Allowed(a1, "SetNotReady", new NotReadyRequest { AgentId = "a1" }), Is.True);
            Assert.That(Allowed(a1, "SetNotReady", new NotReadyRequest { AgentId = "a2" }), Is.False);
            Assert.That(Allowed(a1, "Hangup", new CallControlRequest { AgentId = "a2", CallId = "c" }), Is.False);
            Assert.That(Allowed(a1, "Dial", new DialRequest { AgentId = "a2" }), Is.False);
            Assert.That(Allowed(a1, "ConsultDepartment", new ConsultRequest { AgentId = "a1" }), Is.True);
            Assert.That(Allowed(a1, "Monitor", new MonitorRequest()), Is.False);
            Assert.That(Allowed(a1, "WatchStats", new WatchStatsRequest()), Is.False);
        });
    }

    [Test]
    public void Supervisors_and_admins_act_for_any_agent_and_a_bare_service_key_only_reads()
    {
        var service = User(ApiRoles.Service);
        Assert.Multiple(() =>
        {
            Assert.That(Allowed(User(ApiRoles.Supervisor), "SignOut", new AgentRequest { AgentId = "a2" }), Is.True);
            Assert.That(Allowed(User(ApiRoles.Supervisor), "Monitor", new MonitorRequest()), Is.True);
            Assert.That(Allowed(User(ApiRoles.Admin), "Dial", new DialRequest { AgentId = "a2" }), Is.True);
            Assert.That(Allowed(service, "WatchStats", new WatchStatsRequest()), Is.True);
            Assert.That(Allowed(service, "GetAgentState", new AgentRequest { AgentId = "a1" }), Is.True);
            Assert.That(Allowed(service, "Dial", new DialRequest { AgentId = "a1" }), Is.False);
            Assert.That(Allowed(service, "SignOut", new AgentRequest { AgentId = "a1" }), Is.False);
            Assert.That(Allowed(new ClaimsPrincipal(new ClaimsIdentity([], "test")), "GetAgentState", new AgentRequest { AgentId = "a1" }), Is.False, "no role");
        });
    }

    [TestCase("agent:a1", "Agent", "a1")]
    [TestCase("supervisor:sue", "Supervisor", "sue")]
    [TestCase("admin:ops", "Admin", "ops")]
    public void Act_as_names_a_role_and_a_user(string header, string role, string name) =>
        Assert.That(BearerAuthenticationHandler.ParseActAs(header), Is.EqualTo((role, name)));

    [TestCase("service:x")]
    [TestCase("agent:")]
    [TestCase("a1")]
    [TestCase("")]
    [TestCase(null)]
    public void Malformed_act_as_is_none(string? header) => Assert.That(BearerAuthenticationHandler.ParseActAs(header), Is.Null);
}
