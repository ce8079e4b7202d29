using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;

namespace Hotline.TicketApi.Tests.Quality;

/// <summary>Answered, recorded calls put straight into a store (the quality review reads them; ingest is tested elsewhere).</summary>
internal static class QualityCalls
{
    public static CallRecord Answered(string callId, string agentId, DateTime offeredAt, string? recording = "rec") => new()
    {
        CallId = callId, NodeId = "acd-1", Direction = 1, CallerNumber = "13800001111", OfferedAt = offeredAt, Queue = "general",
        QueuedAt = offeredAt.AddSeconds(2), AnsweredAt = offeredAt.AddSeconds(10), AgentId = agentId, WaitMs = 8000, WithinServiceLevel = true,
        EndedAt = offeredAt.AddSeconds(80), TalkMs = 70_000, HoldMs = 5_000, FirstResponderAgentId = agentId,
        Recording = recording is null ? null : recording + ":" + callId, Complete = true, CompletedAt = offeredAt.AddSeconds(80),
        EndSequence = 4, EventCount = 4,
    };

    /// <summary><paramref name="count"/> calls of <paramref name="agentId"/>, one an hour from <paramref name="start"/>, in a shuffled insertion order.</summary>
    public static async Task AddAsync(TicketDbContext db, string agentId, DateTime start, int count, int shuffleSeed, string prefix = "")
    {
        var calls = Enumerable.Range(0, count).Select(i => Answered($"{prefix}{agentId}-{i:D4}", agentId, start.AddHours(i))).ToList();
        var random = new Random(shuffleSeed);
        db.Calls.AddRange(calls.OrderBy(_ => random.Next()));
        await db.SaveChangesAsync();
    }
}
