using Hotline.AcdEngine.Hosting;

namespace Hotline.AcdEngine.Queues;

/// <summary>What a configuration reload did to the queues.</summary>
/// <param name="Added">Queues new in the configuration.</param>
/// <param name="Removed">Queues no longer configured and empty: gone.</param>
/// <param name="RemovedWhenEmpty">Queues no longer configured with callers waiting: no one new enters; gone when the last leaves.</param>
public sealed record QueuesReconfigured(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> RemovedWhenEmpty);

public sealed partial class CallQueues
{
    /// <summary>
    /// Applies reloaded <c>Acd:Queues</c> (validated) without dropping anyone (issue 20, live reload): callers waiting in
    /// a changed queue keep their place and meet its new limits and strategy at the next decision; a removed queue with
    /// callers keeps serving them and takes no one new. Then offers waiting callers again: agents' queues may have changed.
    /// </summary>
    public QueuesReconfigured Reconfigure(IQueueSettings acd)
    {
        List<string> added = [], removed = [], whenEmpty = [];
        lock (_gate)
        {
            DefaultQueue = acd.DefaultQueue;
            foreach (var (name, q) in acd.Queues)
            {
                if (_queues.TryGetValue(name, out var entry))
                {
                    // The same strategy keeps its selector (round-robin remembers whose turn it is).
                    if (entry.Options.Strategy != q.Strategy || entry.Options.Skill != q.Skill) entry.Selector = SelectorOf(name, q);
                    entry.Options = q;
                    entry.ServiceLevel = ServiceLevelOf(q, acd);
                    entry.Retired = false;
                    continue;
                }
                _queues.Add(name, new QueueEntry(name, q, ServiceLevelOf(q, acd), SelectorOf(name, q)));
                added.Add(name);
            }
            foreach (var entry in _queues.Values.Where(e => !acd.Queues.ContainsKey(e.Name)).ToList())
            {
                if (entry.Waiting.Count == 0)
                {
                    _queues.Remove(entry.Name);
                    removed.Add(entry.Name);
                }
                else
                {
                    entry.Retired = true;
                    whenEmpty.Add(entry.Name);
                }
            }
        }
        Dispatch();
        return new QueuesReconfigured(added, removed, whenEmpty);
    }
}
