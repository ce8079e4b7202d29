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
    public void FeatureFoldersHaveNoCycles() => ArchitectureRules.AssertNoCycles(TicketApi, Root);

    [Test]
    public void NamespacesMatchFolders() => ArchitectureRules.AssertNamespacesMatchFolders("TicketApi", Root,
        // A part of the WorkOrder aggregate (its callback-call steps) filed with the after-call feature: one partial
        // class keeps one namespace.
        "AfterCall/WorkOrder.CallbackCall.cs");

    [Test]
    public void NoStaticMutableState() => ArchitectureRules.AssertNoMutableStatics(TicketApi);
}
