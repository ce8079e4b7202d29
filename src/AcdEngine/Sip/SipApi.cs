namespace Hotline.AcdEngine.Sip;

/// <summary><c>GET /api/sip/registrations</c> and <c>GET /api/sip/stats</c>: what the registrar and stack hold now.</summary>
public static class SipApi
{
    public static IEndpointRouteBuilder MapSipApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/sip");
        group.MapGet("/registrations", GetRegistrations);
        group.MapGet("/stats", GetStats);
        return routes;
    }

    internal static IResult GetRegistrations(SipStack stack, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok(stack.Registrar.Bindings.Snapshot()
            .Select(b => new { user = b.User, contact = b.Contact, expiresInSeconds = b.RemainingSeconds(now), source = b.Source, userAgent = b.UserAgent }));
    }

    internal static IResult GetStats(SipStack stack, Hotline.Cti.Media.MediaEngine media, Events.SqliteOutbox outbox) =>
        TypedResults.Ok(new
        {
            transactions = stack.UserAgent.TransactionCount,
            sessions = stack.UserAgent.SessionCount,
            rejectedMessages = stack.Transport.RejectedCount,
            managedBytes = GC.GetTotalMemory(false),
            workingSetBytes = Environment.WorkingSet,
            // Figures a soak watches for growth (tools/soak/run.sh).
            threads = System.Diagnostics.Process.GetCurrentProcess().Threads.Count,
            fileDescriptors = OpenFileDescriptors(),
            rtpPortsInUse = media.Ports.InUse,
            outboxDepth = outbox.PendingCount(),
            openCalls = outbox.OpenCallCount(),
        });

    /// <summary>Open file descriptors (Linux /proc/self/fd); -1 where there is no /proc.</summary>
    private static int OpenFileDescriptors()
    {
        try
        {
            return Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
