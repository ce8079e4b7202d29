namespace Hotline.TestSupport.Architecture;

/// <summary>
/// Feature folders of one program and the type → type edges between them. A feature is the namespace below the
/// program's root cut to <c>depth</c> segments: depth 1 gives <c>Routing</c> for <c>Hotline.AcdEngine.Routing.X</c>;
/// the CTI core uses depth 2 (<c>Sip.Transport</c>, <c>Media.Rtp</c>), one node per layer. Types outside the root
/// (generated contract, shared source files, the BCL) are not features.
/// </summary>
public sealed class FeatureGraph
{
    private readonly Dictionary<string, Dictionary<string, List<TypeDependency>>> _edges = new(StringComparer.Ordinal);

    public FeatureGraph(IEnumerable<TypeDependency> dependencies, string root, int depth = 1)
    {
        foreach (var d in dependencies)
        {
            if (FeatureOf(d.From.Namespace, root, depth) is not { } from || FeatureOf(d.To.Namespace, root, depth) is not { } to || from == to) continue;
            if (!_edges.TryGetValue(from, out var targets)) _edges[from] = targets = new(StringComparer.Ordinal);
            if (!targets.TryGetValue(to, out var list)) targets[to] = list = [];
            list.Add(d);
        }
    }

    /// <summary>The feature a namespace belongs to, or null outside the root.</summary>
    public static string? FeatureOf(string ns, string root, int depth)
    {
        if (ns == root) return "(root)";
        if (!ns.StartsWith(root + ".", StringComparison.Ordinal)) return null;
        var parts = ns[(root.Length + 1)..].Split('.');
        return string.Join('.', parts.Take(depth));
    }

    /// <summary>Feature → features it uses.</summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> Adjacency =>
        _edges.ToDictionary(e => e.Key, e => (IReadOnlyCollection<string>)e.Value.Keys, StringComparer.Ordinal);

    /// <summary>The type → type edges that make feature <paramref name="from"/> use <paramref name="to"/>.</summary>
    public IReadOnlyList<TypeDependency> EdgesBetween(string from, string to) =>
        _edges.TryGetValue(from, out var t) && t.TryGetValue(to, out var list) ? list : [];

    /// <summary>Every cycle's features (strongly connected components of more than one feature), each sorted.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles() => CycleFinder.Find(Adjacency);

    /// <summary>A readable report of each cycle: the feature edges inside it, each with the type → type uses behind it.</summary>
    public string Describe(IReadOnlyList<IReadOnlyList<string>> cycles, int perEdge = 8)
    {
        var text = new System.Text.StringBuilder();
        foreach (var cycle in cycles)
        {
            text.AppendLine("cycle: " + string.Join(" ↔ ", cycle));
            foreach (var from in cycle)
                foreach (var to in cycle)
                {
                    var edges = EdgesBetween(from, to);
                    if (edges.Count == 0) continue;
                    text.AppendLine($"  {from} → {to} ({edges.Count} uses):");
                    foreach (var e in edges.OrderBy(e => e.ToString(), StringComparer.Ordinal).Take(perEdge)) text.AppendLine("    " + e);
                    if (edges.Count > perEdge) text.AppendLine($"    … and {edges.Count - perEdge} more");
                }
        }
        return text.ToString();
    }
}

/// <summary>Tarjan's strongly connected components over a directed graph of names; components of 2+ nodes are cycles.</summary>
public static class CycleFinder
{
    public static IReadOnlyList<IReadOnlyList<string>> Find(IReadOnlyDictionary<string, IReadOnlyCollection<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var cycles = new List<IReadOnlyList<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var targets) ? targets : [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) cycles.Add(component.Order(StringComparer.Ordinal).ToList());
        }

        foreach (var v in graph.Keys.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(v)) Visit(v);
        return cycles.OrderBy(c => c[0], StringComparer.Ordinal).ToList();
    }
}
