using Hotline.TestSupport.Architecture;
using Hotline.TicketApi.Data;

namespace Hotline.TicketApi.Tests.Architecture;

/// <summary>
/// ../shared/ARCHITECTURE.md and STYLE.md as tests over the built TicketApi: what it may reference, one-way feature
/// folders, namespaces that match folders, no static state. A failure lists the type → type edges to fix.
/// </summary>
public sealed class DependencyRulesTests
{
    private const string Root = "Hotline.TicketApi";
    private static TypeDependencies TicketApi => ArchitectureRules.Load(typeof(TicketDbContext));

    [Test]
    public void TicketApiAndEngineMeetOnlyInTheContract()
    {
        // ARCHITECTURE.md "Three programs, one contract": the engine is reached through protos/ (cti.proto client), never by reference.
        ArchitectureRules.AssertNoReference(TicketApi, "Hotline.AcdEngine", "Hotline.Cti");
        ArchitectureRules.AssertNoNamespace(TicketApi, "Hotline.AcdEngine");
        ArchitectureRules.AssertNoNamespace(TicketApi, "Hotline.Cti");
    }

    [Test]
    public void TicketApiKeepsItsStateInTheDatabase()
    {
        // ARCHITECTURE.md "State that lives where" / "Growing past one machine": TicketApi is stateless behind a load
        // balancer; its state is the database through EF Core. Redis is the engines' shared state, not TicketApi's.
        ArchitectureRules.AssertNoReference(TicketApi, "StackExchange.Redis");
    }

    [Test]
    public void SharedSourceFilesDoNotReachIntoTicketApi()
    {
        // src/Shared files are compiled into both programs: they may use only what both have.
        foreach (var shared in new[] { "Hotline.Hosting", "Hotline.Tls", "Hotline.Calendar" })
            ArchitectureRules.AssertNoUse(TicketApi, shared, Root);
    }

    [Test]
    public void FeatureFoldersHaveNoCycles() => ArchitectureRules.AssertNoCycles(TicketApi, Root, known:
        ["AfterCall", "Api", "Auth", "Data", "Desk", "Hosting", "Ingest", "Intake", "Metrics", "Quality", "Recordings", "Supervision", "Testing", "WebConsole"]);

    [Test]
    public void NamespacesMatchFolders() => ArchitectureRules.AssertNamespacesMatchFolders("TicketApi", Root,
        "AfterCall/WorkOrder.CallbackCall.cs", "Console/");

    [Test]
    public void NoStaticMutableState() => ArchitectureRules.AssertNoMutableStatics(TicketApi);
}
