namespace Hotline.AcdEngine.Queues;

/// <summary>
/// The queue settings of <c>Acd:*</c> (implemented by <c>Routing.AcdOptions</c>): queues sit below routing, so they see
/// the hotline's settings through this view.
/// </summary>
public interface IQueueSettings
{
    /// <summary>The queue callers go to without an IVR choice (<c>Acd:DefaultQueue</c>).</summary>
    string DefaultQueue { get; }

    /// <summary>The hotline's default service level in seconds (<c>Acd:ServiceLevelSeconds</c>, DOMAIN.md: 15 s).</summary>
    int ServiceLevelSeconds { get; }

    /// <summary>Queues by name (<c>Acd:Queues:&lt;name&gt;:*</c>).</summary>
    Dictionary<string, QueueOptions> Queues { get; }

    /// <summary>One line per queue name across engines, in Redis (<c>Acd:SharedQueues</c>).</summary>
    bool SharedQueues { get; }
}
