namespace Hotline.AcdEngine.Sip;

/// <summary><c>GET /api/sip/registrations</c> and <c>GET /api/sip/stats</c>: what the registrar and stack hold now.</summary>
public static class SipApi
{
    public static IEndpointRouteBuilder MapSipApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/sip").RequireAuthorization(Security.ApiPolicies.Telephony);
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

    internal static IResult GetStats(SipStack stack, SipAdmission admission, Hotline.Cti.Media.MediaEngine media, Events.SqliteOutbox outbox) =>
        TypedResults.Ok(new
        {
            admission = admission.Figures(),
            tcpConnections = stack.Transport.TcpConnectionCount,
            tcpRefused = stack.Transport.TcpCounters.Refused,
            tcpTimedOut = stack.Transport.TcpCounters.TimedOut,
            tcpDropped = stack.Transport.TcpCounters.Dropped,
            // SRTP/SRTCP packets dropped by all legs: bad tag (tampered or wrong key), replayed, malformed.
            srtpDropped = new
            {
                authenticationFailures = media.SrtpDrops.AuthenticationFailures,
                replays = media.SrtpDrops.Replays,
                malformed = media.SrtpDrops.Malformed,
            },
            transactions = stack.UserAgent.TransactionCount,
            sessions = stack.UserAgent.SessionCount,
            sessionStates = stack.UserAgent.SessionFigures(),
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
