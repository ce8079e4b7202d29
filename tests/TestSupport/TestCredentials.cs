using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Hotline.TestSupport;

/// <summary>
/// The credentials every test host is configured with (COMMON identity model), none of them a published demo value:
/// engine <c>Api:Keys</c> (an admin, TicketApi's service key, a supervisor, agents a1 and a2), each engine node's
/// <c>TicketApi:NodeKey</c>, and TicketApi's <c>Ingest:Nodes</c> and <c>AcdEngine:ServiceKey</c>.
/// <see cref="HostProcess"/> applies them; a test's own settings override any of them.
/// </summary>
public static class TestCredentials
{
    public const string EngineAdminKey = "test-engine-admin-key-0123456789";
    public const string ServiceKey = "test-ticketapi-service-key-0123456789";
    public const string SupervisorKey = "test-supervisor-sup1-key-0123456789";
    public const string SupervisorName = "sup1";
    /// <summary>The SIP account of supervisor <see cref="SupervisorName"/> (engine <c>Supervisors</c>).</summary>
    public const string SupervisorSipUser = "3001";
    public const string AgentA1Key = "test-agent-a1-key-0123456789";
    public const string AgentA2Key = "test-agent-a2-key-0123456789";

    /// <summary>The node id tests use when they publish events to TicketApi as a stand-in engine.</summary>
    public const string TestNodeId = "acd-e2e";

    /// <summary>The engine nodes every test TicketApi accepts (each with <see cref="NodeKey"/>).</summary>
    public static readonly IReadOnlyList<string> KnownNodes = ["acd-1", "acd-2", "acd-3", TestNodeId];

    /// <summary>The key of engine node <paramref name="nodeId"/> toward TicketApi's ingest.</summary>
    public static string NodeKey(string nodeId) => "test-node-key-" + nodeId + "-0123456789";

    public static string Sha256Hex(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Engine settings: Api:Keys, Supervisors, TicketApi:NodeKey (for <paramref name="nodeId"/>), and demo mode on.</summary>
    public static Dictionary<string, string> Engine(string nodeId)
    {
        var s = new Dictionary<string, string>(StringComparer.Ordinal);
        void Key(int i, string name, string role, string key, string agentId = "")
        {
            s[$"Api:Keys:{i}:Name"] = name;
            s[$"Api:Keys:{i}:Role"] = role;
            s[$"Api:Keys:{i}:AgentId"] = agentId;
            s[$"Api:Keys:{i}:Sha256"] = Sha256Hex(key);
        }
        Key(0, "test-admin", "Admin", EngineAdminKey);
        Key(1, "ticketapi", "Service", ServiceKey);
        Key(2, SupervisorName, "Supervisor", SupervisorKey);
        Key(3, "agent-a1", "Agent", AgentA1Key, "a1");
        Key(4, "agent-a2", "Agent", AgentA2Key, "a2");
        s["Supervisors:0:Name"] = SupervisorName;
        s["Supervisors:0:SipUser"] = SupervisorSipUser;
        s["TicketApi:NodeKey"] = NodeKey(nodeId);
        // Test engines use the published demo SIP accounts (1001/agent1001 …) that sipp and baresip register with, which
        // is demo mode; tests of the refusal turn it off.
        s["Security:DemoMode"] = "true";
        return s;
    }

    /// <summary>TicketApi settings: Ingest:Nodes for <see cref="KnownNodes"/>, the service key toward the engine.</summary>
    public static Dictionary<string, string> TicketApi()
    {
        var s = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < KnownNodes.Count; i++)
        {
            s[$"Ingest:Nodes:{i}:NodeId"] = KnownNodes[i];
            s[$"Ingest:Nodes:{i}:Sha256"] = Sha256Hex(NodeKey(KnownNodes[i]));
        }
        s["AcdEngine:ServiceKey"] = ServiceKey;
        s["Security:DemoMode"] = "false";
        // Not the published bootstrap key; tests that sign in set their own.
        s["Auth:BootstrapAdminKey"] = "test-bootstrap-admin-key-0123456789";
        return s;
    }

    /// <summary>An HTTP handler (for HttpClient or a GrpcChannel's HttpHandler) that sends <c>Authorization: Bearer</c>.</summary>
    public static HttpMessageHandler Bearer(string key, string? actAs = null) => new BearerHandler(key, actAs);

    private sealed class BearerHandler(string key, string? actAs) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            if (actAs is not null) request.Headers.TryAddWithoutValidation("x-hotline-act-as", actAs);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
