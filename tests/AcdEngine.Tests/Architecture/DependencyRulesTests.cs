using Hotline.AcdEngine.Agents;
using Hotline.TestSupport.Architecture;

namespace Hotline.AcdEngine.Tests.Architecture;

/// <summary>
/// ../shared/ARCHITECTURE.md and STYLE.md as tests over the built engine: what it may reference, one-way feature
/// folders, namespaces that match folders, no static state. A failure lists the type → type edges to fix.
/// </summary>
public sealed class DependencyRulesTests
{
    private const string Root = "Hotline.AcdEngine";
    private static TypeDependencies Engine => ArchitectureRules.Load(typeof(AgentRoster));

    [Test]
    public void EngineAndTicketApiMeetOnlyInTheContract()
    {
        // ARCHITECTURE.md "Three programs, one contract": protos/ is the one contract; neither program references the other.
        ArchitectureRules.AssertNoReference(Engine, "Hotline.TicketApi");
        ArchitectureRules.AssertNoNamespace(Engine, "Hotline.TicketApi");
    }

    [Test]
    public void EngineStoresNoWorkOrders()
    {
        // ARCHITECTURE.md "State that lives where": calls in memory, agents and queues in Redis; the database (EF Core) is TicketApi's.
        ArchitectureRules.AssertNoReference(Engine, "Microsoft.EntityFrameworkCore", "Microsoft.EntityFrameworkCore.");
    }

    [Test]
    public void SharedSourceFilesDoNotReachIntoTheEngine()
    {
        // src/Shared files are compiled into both programs: they may use only what both have.
        foreach (var shared in new[] { "Hotline.Hosting", "Hotline.Tls", "Hotline.Calendar" })
            ArchitectureRules.AssertNoUse(Engine, shared, Root);
    }

    [Test]
    public void FeatureFoldersHaveNoCycles() => ArchitectureRules.AssertNoCycles(Engine, Root);

    [Test]
    public void NamespacesMatchFolders() => ArchitectureRules.AssertNamespacesMatchFolders("AcdEngine", Root);

    [Test]
    public void NoStaticMutableState() => ArchitectureRules.AssertNoMutableStatics(Engine);
}
