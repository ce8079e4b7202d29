using Hotline.AcdEngine.Agents;

namespace Hotline.AcdEngine.Queues;

/// <summary>A caller waiting in a queue. Owned by <see cref="CallQueues"/>; the call's flow awaits its offers.</summary>
public sealed class QueuedCall
{
    internal QueuedCall(string callId, string queue, DateTimeOffset enteredAt)
    {
        CallId = callId;
        Queue = queue;
        EnteredAt = enteredAt;
    }

    public string CallId { get; }
    public string Queue { get; }

    /// <summary>Queue entry: where the answer wait starts (DOMAIN.md: the 15 s rule).</summary>
    public DateTimeOffset EnteredAt { get; }

    /// <summary>True while agents are reserved and ringing for it (it still counts as waiting).</summary>
    internal bool Offered { get; set; }

    internal LinkedListNode<QueuedCall>? Node { get; set; }

    /// <summary>Line sweeps in a row that found this caller, not offered, out of the shared line (Acd:SharedQueues).</summary>
    internal int LineMisses { get; set; }

    internal TaskCompletionSource<IReadOnlyList<AgentSnapshot>> NextOffer { get; set; } = NewOffer();

    internal static TaskCompletionSource<IReadOnlyList<AgentSnapshot>> NewOffer() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
