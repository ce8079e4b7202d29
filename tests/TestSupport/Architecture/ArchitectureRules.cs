namespace Hotline.TestSupport.Architecture;

/// <summary>
/// The checks each program's architecture tests share (../shared/ARCHITECTURE.md, STYLE.md "Dependencies point one
/// way"). Every failure message lists the offending type → type edges, so a red test says what to move.
/// </summary>
public static class ArchitectureRules
{
    /// <summary>The assembly a type of the program under test was built into, read once per test run.</summary>
    public static TypeDependencies Load(Type anyTypeOfTheProgram) => Cache.GetOrAdd(anyTypeOfTheProgram.Assembly.Location, TypeDependencies.Read);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TypeDependencies> Cache = new(StringComparer.Ordinal);

    /// <summary>The assembly references none of <paramref name="forbidden"/> (exact names or prefixes ending in '.'), by reference or by use.</summary>
    public static void AssertNoReference(TypeDependencies program, params string[] forbidden)
    {
        bool Matches(string assembly) => forbidden.Any(f => f.EndsWith('.') ? assembly.StartsWith(f, StringComparison.Ordinal) : assembly == f);
        var references = program.References.Where(Matches).ToList();
        var uses = program.Edges.Where(e => Matches(e.To.Assembly)).Select(e => e.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.That(references.Count + uses.Count, Is.Zero,
            $"{program.Assembly} must not reference {string.Join(", ", forbidden)}; references: {string.Join(", ", references)}\n" + string.Join("\n", uses.Take(40)));
    }

    /// <summary>No type of the assembly is declared in, or uses a type of, a namespace under <paramref name="prefix"/>.</summary>
    public static void AssertNoNamespace(TypeDependencies program, string prefix)
    {
        bool Under(string ns) => ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal);
        var declared = program.Types.Where(t => Under(t.Namespace)).Select(t => "declares " + t).ToList();
        var uses = program.Edges.Where(e => Under(e.To.Namespace)).Select(e => e.ToString()).Distinct().Order(StringComparer.Ordinal);
        var all = declared.Concat(uses).ToList();
        Assert.That(all, Is.Empty, $"{program.Assembly} must not hold or use {prefix}.*:\n" + string.Join("\n", all.Take(40)));
    }

    /// <summary>
    /// Types from namespaces <paramref name="from"/> (prefixes) never use types from <paramref name="to"/> (prefixes):
    /// a one-way rule between layers.
    /// </summary>
    public static void AssertNoUse(TypeDependencies program, string from, string to, Func<TypeDependency, bool>? allowed = null)
    {
        static bool Under(string ns, string prefix) => ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal);
        var offending = program.Edges.Where(e => Under(e.From.Namespace, from) && Under(e.To.Namespace, to) && !(allowed?.Invoke(e) ?? false))
            .Select(e => e.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.That(offending, Is.Empty, $"{from} must not use {to}:\n" + string.Join("\n", offending.Take(40)));
    }

    /// <summary>No cycle between the program's feature folders (see <see cref="FeatureGraph"/>), except the known ones listed.</summary>
    public static void AssertNoCycles(TypeDependencies program, string root, int depth = 1, params string[][] known)
    {
        var graph = new FeatureGraph(program.Edges, root, depth);
        var cycles = graph.Cycles();
        var unexpected = cycles.Where(c => !known.Any(k => k.Order(StringComparer.Ordinal).SequenceEqual(c))).ToList();
        Assert.That(unexpected, Is.Empty, $"feature folders of {root} form cycles:\n" + graph.Describe(unexpected));
    }

    /// <summary>No static field that can be written after start (ARCHITECTURE.md "Growing past one machine": no static state).</summary>
    public static void AssertNoMutableStatics(TypeDependencies program, params string[] known)
    {
        // Generated contract code (Hotline.Contracts.*) is never edited (STYLE.md "grpc-dotnet"); its descriptor cache is not ours.
        var offending = program.MutableStaticFields.Where(f => !f.StartsWith("Hotline.Contracts.", StringComparison.Ordinal))
            .Except(known, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.That(offending, Is.Empty, $"{program.Assembly} holds static mutable state:\n" + string.Join("\n", offending));
    }

    /// <summary>Namespaces match folders under <c>src/&lt;project&gt;</c>, except the files listed (each with its reason at the call site).</summary>
    public static void AssertNamespacesMatchFolders(string project, string rootNamespace, params string[] knownFiles)
    {
        var mismatches = SourceNamespaces.Mismatches(Path.Combine(RepoPaths.Root, "src", project), rootNamespace)
            .Where(m => !knownFiles.Any(k => m.StartsWith(k + ":", StringComparison.Ordinal) || (k.EndsWith('/') && m.StartsWith(k, StringComparison.Ordinal))))
            .ToList();
        Assert.That(mismatches, Is.Empty, "namespace does not match folder:\n" + string.Join("\n", mismatches));
    }
}
