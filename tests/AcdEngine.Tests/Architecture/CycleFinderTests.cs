using Hotline.TestSupport.Architecture;

namespace Hotline.AcdEngine.Tests.Architecture;

/// <summary>The architecture tests can fail: the cycle finder and the IL reader on graphs with known cycles.</summary>
public sealed class CycleFinderTests
{
    private static IReadOnlyDictionary<string, IReadOnlyCollection<string>> Graph(params (string From, string To)[] edges) =>
        edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)g.Select(e => e.To).ToList());

    [Test]
    public void FindsEveryCycleAndNoneInADag()
    {
        var cycles = CycleFinder.Find(Graph(("Hosting", "Queues"), ("Queues", "Hosting"), ("Queues", "Agents"),
            ("Conference", "Routing"), ("Routing", "Tracking"), ("Tracking", "Conference"), ("Api", "Routing")));
        Assert.That(cycles, Has.Count.EqualTo(2));
        Assert.That(cycles[0], Is.EqualTo(new[] { "Conference", "Routing", "Tracking" }));
        Assert.That(cycles[1], Is.EqualTo(new[] { "Hosting", "Queues" }));
        Assert.That(CycleFinder.Find(Graph(("Hosting", "Queues"), ("Queues", "Agents"), ("Hosting", "Agents"))), Is.Empty);
    }

    [Test]
    public void ReadsEdgesFromBodiesAndLambdasAndNamesThemInTheReport()
    {
        // Samples.Left uses Samples.Right only inside a method body and a lambda; Right uses Left by a field.
        var deps = TypeDependencies.Read(typeof(CycleFinderTests).Assembly.Location);
        var graph = new FeatureGraph(deps.Edges, "Hotline.AcdEngine.Tests.Architecture.Samples");
        var cycles = graph.Cycles();
        Assert.That(cycles, Has.Count.EqualTo(1));
        var report = graph.Describe(cycles);
        Assert.That(report, Does.Contain("Left → Right").And.Contain("Hotline.AcdEngine.Tests.Architecture.Samples.Left.Caller → Hotline.AcdEngine.Tests.Architecture.Samples.Right.Callee"));
        Assert.That(report, Does.Contain("Hotline.AcdEngine.Tests.Architecture.Samples.Right.Holder → Hotline.AcdEngine.Tests.Architecture.Samples.Left.Caller"));
        Assert.Throws<AssertionException>(() => ArchitectureRules.AssertNoCycles(deps, "Hotline.AcdEngine.Tests.Architecture.Samples"));
    }

    [Test]
    public void FlagsMutableStaticsAndNotReadonlyOnes()
    {
        var deps = TypeDependencies.Read(typeof(CycleFinderTests).Assembly.Location);
        Assert.That(deps.MutableStaticFields, Does.Contain("Hotline.AcdEngine.Tests.Architecture.Samples.Right.Holder.Counter"));
        Assert.That(deps.MutableStaticFields, Does.Not.Contain("Hotline.AcdEngine.Tests.Architecture.Samples.Right.Holder.Fixed"));
    }
}
