namespace Hotline.AcdEngine.Hosting;

/// <summary>
/// The thread pool's minimum worker threads, raised at start. StackExchange.Redis follows a Sentinel failover with
/// blocking calls on pool threads: while the master is dead a timer runs its primary switch every second (Sentinel
/// queries in parallel, each waited for synchronously, and a reconfiguration waited for in an event handler). With the
/// default minimum (one thread per core: two on a small server) those calls held every pool thread, and beyond the
/// minimum the pool adds a thread only about twice a second: every call flow of the engine stood still for seconds —
/// callers abandoned while their agent's phone should have rung (run 48: nothing offered or released on one engine
/// for 2.9 s). Idle threads above the minimum cost a stack each and are given back after a while.
/// </summary>
public static class ThreadPoolFloor
{
    /// <summary>Worker threads the pool creates on demand without waiting (a higher minimum set by the runtime's configuration is kept).</summary>
    public const int MinimumWorkers = 32;

    /// <summary>Raises the minimum to <see cref="MinimumWorkers"/> (never lowers it); returns the minimum now in force.</summary>
    public static int Raise()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        if (workers < MinimumWorkers) ThreadPool.SetMinThreads(MinimumWorkers, completionPorts);
        ThreadPool.GetMinThreads(out workers, out _);
        return workers;
    }
}
