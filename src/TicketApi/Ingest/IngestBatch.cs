using Google.Protobuf;
using Hotline.Contracts.V1;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.Metrics;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Hotline.TicketApi.Ingest;

/// <summary>
/// Applies a batch of envelopes in one unit of work: event ids, call records, rollups, new work orders and
/// dead letters are saved by one <c>SaveChanges</c> (one transaction), so an event id is stored exactly when its
/// effect is (events.proto). Returns one ack per envelope, to be sent only after the commit.
/// </summary>
public sealed class IngestBatch(TicketDbContext db, DeadlineRules rules, CatalogueOptions catalogue, TimeProvider time)
{
    private static readonly Actor Ingest = new("ingest", "system");

    private readonly Dictionary<string, CallRecord> _calls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CallHourRollup> _rollupDeltas = new(StringComparer.Ordinal);
    private readonly HashSet<string> _newCalls = new(StringComparer.Ordinal);
    private readonly HashSet<string> _claimedCalls = new(StringComparer.Ordinal); // New calls whose blank row this batch inserted.
    private readonly List<WorkOrder> _newOrders = [];
    private readonly List<CallRecord> _callbackCalls = [];
    private readonly HashSet<string> _transferFailedInBatch = new(StringComparer.Ordinal);
    private IngestSql? _sql;
    private HashSet<string>? _storedCallEvents;   // Multi-row path: the event ids this batch stored (each applied once).
    private HashSet<string>? _storedAgentEvents;
    private HashSet<string>? _callsWithMatterOrder;
    private Dictionary<string, TransferFailed>? _lastTransferFailed;   // Whole-batch path: looked up for the batch at once.

    public async Task<Ack[]> ApplyAsync(IReadOnlyList<IngestEnvelope> envelopes, CancellationToken cancellationToken)
    {
        var acks = new Ack[envelopes.Count];
        var now = time.GetUtcNow().UtcDateTime;

        // Validate first; collect the calls to load.
        var errors = new string?[envelopes.Count];
        var callIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < envelopes.Count; i++)
        {
            var env = envelopes[i];
            errors[i] = env.EventCase switch
            {
                IngestEnvelope.EventOneofCase.Call => CallProjection.Validate(env.Call),
                IngestEnvelope.EventOneofCase.Agent => CallProjection.Validate(env.Agent),
                _ => "the envelope carries no event",
            };
            if (errors[i] is not null) continue;
            if (env.EventCase == IngestEnvelope.EventOneofCase.Call) callIds.Add(env.Call.CallId);
        }

        var dialect = StoreDialects.Of(db.Database);
        if (dialect == StoreDialect.Sqlite) await TuneSqliteAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        using var sql = new IngestSql(db.Database.GetDbConnection(), transaction.GetDbTransaction(), dialect);
        _sql = sql;
        // One lock order (call id, ordinal) for every batch of every TicketApi instance: two batches that share calls
        // wait for each other instead of deadlocking (IngestStatements: the rows are read locked).
        if (sql.AppliesWholeBatches)
        {
            // PostgreSQL: one statement claims or locks them all, in that order; a row with no event counted was claimed now.
            foreach (var c in sql.ClaimCalls([.. callIds.Order(StringComparer.Ordinal)]))
                if (c.EventCount == 0) _claimedCalls.Add(c.CallId);
                else _calls[c.CallId] = c;
        }
        else foreach (var callId in callIds.Order(StringComparer.Ordinal))
        {
            if (sql.FindCall(callId) is { } c) _calls[callId] = c;
            else if (sql.ClaimsNewCalls && !sql.TryClaimCall(callId) && sql.FindCall(callId) is { } stored) _calls[callId] = stored;
            else if (sql.ClaimsNewCalls) _claimedCalls.Add(callId);
        }

        if (sql.AppliesWholeBatches) StoreEvents(envelopes, errors);

        var touched = new HashSet<CallRecord>();
        for (var i = 0; i < envelopes.Count; i++)
        {
            var env = envelopes[i];
            var id = EventIdOf(env);
            if (errors[i] is { } error)
            {
                sql.InsertRejected(new RejectedEvent { EventId = id, ReceivedAt = now, Error = error, Payload = env.ToByteArray() });
                acks[i] = new Ack { EventId = id, Accepted = false, Error = error };
                continue;
            }
            // Accepted either way: a duplicate (stored earlier, or earlier in this batch) was applied before.
            acks[i] = new Ack { EventId = id, Accepted = true };
            if (env.EventCase == IngestEnvelope.EventOneofCase.Call)
            {
                if (ApplyCall(env.Call) is { } call) touched.Add(call);
            }
            else
            {
                ApplyAgent(env.Agent);
            }
        }

        var completing = touched.Where(c => !c.Complete && c.EndSequence is long end && c.EventCount >= end).ToList();
        if (sql.LooksUpInBulk)
            _callsWithMatterOrder = sql.CallsWithMatterOrder(
                [.. completing.Where(c => c.Direction != (int)CallDirection.Outbound && c.AnsweredAt is not null).Select(c => c.CallId)]);
        if (sql.AppliesWholeBatches)
            _lastTransferFailed = sql.LastTransferFailed(
                [.. completing.Where(c => c.Direction != (int)CallDirection.Outbound && c.AnsweredAt is not null && MayHaveTransferFailed(c)).Select(c => c.CallId)]);
        foreach (var call in completing) Complete(call, now);

        var callRollups = RollupDeltas();
        if (sql.AppliesWholeBatches)
        {
            // Every call of the batch has its row (claimed or locked above): the projections are updates. The shared
            // rollup rows come last, with the commit right after, so other instances wait for them as briefly as possible.
            var (orderHours, orderDays) = OrderRollupDeltas();
            sql.WriteBack([.. touched.OrderBy(c => c.CallId, StringComparer.Ordinal)], _newOrders, callRollups, orderHours, orderDays);
            if (_callbackCalls.Count > 0) await AfterCall.CallbackCalls.ApplyAsync(db, _callbackCalls, rules, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return acks;
        }
        foreach (var d in callRollups.Hours) sql.AddToRollup(d);
        foreach (var d in callRollups.QueueHours) sql.AddToQueueHourRollup(d);
        foreach (var d in callRollups.Days) sql.AddToDayRollup(d);
        foreach (var call in _calls.Values)
            if (_newCalls.Contains(call.CallId) && !_claimedCalls.Contains(call.CallId)) sql.InsertCall(call);
            else if (touched.Contains(call)) sql.UpdateCall(call);
        foreach (var order in _newOrders) sql.InsertNewOrder(order);
        var (hours, days) = OrderRollupDeltas();
        foreach (var d in hours) sql.AddToOrderRollup(d);
        foreach (var d in days) sql.AddToOrderDayRollup(d);
        if (_callbackCalls.Count > 0) await AfterCall.CallbackCalls.ApplyAsync(db, _callbackCalls, rules, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return acks;
    }

    /// <summary>
    /// The writer's SQLite connection (pooled, so it keeps these): a page cache that holds the indexes a batch touches and
    /// reads through mmap instead of pread (issue 22: 6.5 % of the ingest's CPU was pread of pages the 2 MiB default
    /// cache had dropped), and a WAL checkpoint every 16 MiB instead of 4 MiB, so a page written by several batches is
    /// copied into the database once. Durability is unchanged: synchronous stays FULL (docs/ticketapi.md "Storage").
    /// </summary>
    private async Task TuneSqliteAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var pragma = db.Database.GetDbConnection().CreateCommand();
        pragma.CommandText = "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824; PRAGMA wal_autocheckpoint=4096;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stores the event and projects it onto its call; null when the event id was already stored.</summary>
    private CallRecord? ApplyCall(CallEvent e)
    {
        var stored = _storedCallEvents is { } ids ? ids.Remove(e.EventId) : _sql!.TryInsertCallEvent(RowOf(e));
        if (!stored)
        {
            Duplicates++;
            return null;
        }
        if (!_calls.TryGetValue(e.CallId, out var call))
        {
            call = new CallRecord { CallId = e.CallId };
            _calls[e.CallId] = call;
            _newCalls.Add(e.CallId);
        }
        CallProjection.Apply(call, e);
        if (e.PayloadCase == CallEvent.PayloadOneofCase.TransferFailed) _transferFailedInBatch.Add(e.CallId);
        call.EventCount++;
        if (e.PayloadCase == CallEvent.PayloadOneofCase.SatisfactionRated)
            CountRating(e);
        return call;
    }

    private void ApplyAgent(AgentEvent e)
    {
        if (!(_storedAgentEvents is { } ids ? ids.Remove(e.EventId) : _sql!.TryInsertAgentEvent(RowOf(e)))) Duplicates++;
    }

    private static CallEventRow RowOf(CallEvent e) => new()
    {
        EventId = e.EventId, CallId = e.CallId, Sequence = (long)e.Sequence,
        Kind = e.PayloadCase.ToString(), OccurredAt = e.OccurredAt.ToDateTime(), Payload = e.ToByteArray(),
    };

    private static AgentEventRow RowOf(AgentEvent e) => new()
    {
        EventId = e.EventId, AgentId = e.AgentId, Sequence = (long)e.Sequence, OccurredAt = e.OccurredAt.ToDateTime(),
        Status = (int)e.Status, PreviousStatus = (int)e.PreviousStatus, Reason = e.Reason, CallId = e.CallId,
    };

    /// <summary>
    /// Multi-row path (issue 22): stores every valid event of the batch up front, one statement per table and chunk, the
    /// first of equal ids only; the apply loop then projects an event exactly when its id was stored now (a redelivered
    /// id, or the second copy in one batch, is a duplicate), as the row-by-row path does.
    /// </summary>
    private void StoreEvents(IReadOnlyList<IngestEnvelope> envelopes, string?[] errors)
    {
        var calls = new List<CallEventRow>(envelopes.Count);
        var agents = new List<AgentEventRow>();
        var seen = new HashSet<string>(envelopes.Count, StringComparer.Ordinal);
        var seenAgent = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < envelopes.Count; i++)
        {
            if (errors[i] is not null) continue;
            var env = envelopes[i];
            if (env.EventCase == IngestEnvelope.EventOneofCase.Call)
            {
                if (seen.Add(env.Call.EventId)) calls.Add(RowOf(env.Call));
            }
            else if (seenAgent.Add(env.Agent.EventId)) agents.Add(RowOf(env.Agent));
        }
        _storedCallEvents = _sql!.InsertCallEventArrays(calls);
        _storedAgentEvents = _sql.InsertAgentEventArrays(agents);
    }

    /// <summary>Events of the batch already stored before (acked, not applied again): for the metrics.</summary>
    public int Duplicates { get; private set; }

    /// <summary>DOMAIN.md satisfaction: rated calls, inbound and outbound alike, counted at the rating's hour.</summary>
    private void CountRating(CallEvent e)
    {
        var r = e.SatisfactionRated;
        if (r.Score is SatisfactionScore.Unspecified or SatisfactionScore.NotRated) return;
        var delta = Delta(HourOf(e.OccurredAt.ToDateTime()), r.Queue, r.AgentId);
        delta.Rated++;
        switch (r.Score)
        {
            case SatisfactionScore.Satisfied: delta.Satisfied++; break;
            case SatisfactionScore.BasicallySatisfied: delta.BasicallySatisfied++; break;
            default: delta.NotSatisfied++; break;
        }
    }

    /// <summary>Every event of the call is in: count it (per-hour rollup) and open the work orders it needs.</summary>
    private void Complete(CallRecord call, DateTime now)
    {
        call.Complete = true;
        call.CompletedAt = now;
        var inbound = call.Direction != (int)CallDirection.Outbound;
        var at = call.EndedAt ?? call.OfferedAt ?? now;
        if (inbound && call.Queue is not null)
        {
            // DOMAIN.md connection rate: calls answered by an agent ÷ calls offered to agents (reached a queue).
            var delta = Delta(HourOf(call.QueuedAt ?? call.OfferedAt ?? at), call.Queue, call.AgentId ?? "");
            delta.Offered++;
            if (call.AnsweredAt is not null)
            {
                delta.Answered++;
                if (call.WithinServiceLevel) delta.AnsweredWithinServiceLevel++;
                delta.AnswerWaitMsTotal += call.WaitMs ?? 0;
            }
            else if (call.AbandonedAt is not null)
            {
                delta.Abandoned++;
            }
        }
        if (!inbound)
        {
            if (call.ForWorkOrderId is not null) _callbackCalls.Add(call); // Issue 10: recorded on its order.
            return;
        }
        var nature = catalogue.FindNature(call.IvrNature);
        // Issue 17: the order the agent registered on the desk during the call is the call's order; no second, empty one.
        if (call.AnsweredAt is not null && !(_callsWithMatterOrder?.Contains(call.CallId) ?? _sql!.HasMatterOrder(call.CallId)))
            Open(WorkOrderKind.Matter, call, nature, at, call.FirstResponderAgentId ?? call.AgentId, DispatchNote(call));
        else if (call.AbandonedAt is not null && call.CallbackNumber is null && call.VoicemailLocation is null)
            Open(WorkOrderKind.ReturnCall, call, nature, at, null);
        if (call.CallbackNumber is not null) Open(WorkOrderKind.CallbackRequest, call, nature, at, null);
        if (call.VoicemailLocation is not null) Open(WorkOrderKind.Voicemail, call, nature, at, null);
    }

    /// <summary>
    /// DOMAIN.md/issue 8: a department the agent could not bring into the call (TransferFailed) gets the matter by
    /// dispatch; the order says so, naming the department, for the dispatcher.
    /// </summary>
    private string DispatchNote(CallRecord call) =>
        MayHaveTransferFailed(call) && (_lastTransferFailed is { } found ? found.GetValueOrDefault(call.CallId) : _sql!.LastTransferFailed(call.CallId)) is { } failed
        ? $"Dispatch to department {failed.DepartmentId}: transfer failed after {failed.Attempts} attempt(s) ({failed.Reason})."
        : "";

    /// <summary>A call whose every event came in this batch has no stored TransferFailed unless this batch saw one: no look-up.</summary>
    private bool MayHaveTransferFailed(CallRecord call) => !_newCalls.Contains(call.CallId) || _transferFailedInBatch.Contains(call.CallId);

    private void Open(WorkOrderKind kind, CallRecord call, NatureDefinition? nature, DateTime at, string? owner, string note = "")
    {
        var number = kind == WorkOrderKind.CallbackRequest ? call.CallbackNumber : call.CallerNumber;
        var content = kind == WorkOrderKind.Voicemail ? $"Voicemail: {call.VoicemailLocation}" : note;
        var order = WorkOrder.Register(
            new NewWorkOrder(kind, Channel.Phone, content, CallerName: call.CallerName, CallerNumber: number,
                CallId: call.CallId, OwnerAgentId: owner),
            nature, rules, at, owner is null ? Ingest : new Actor(owner, Auth.Roles.Agent));
        _newOrders.Add(order);
    }

    /// <summary>
    /// The new orders' registrations, summed per hour and dimension (reply rate's denominator) and per UTC day and
    /// dimension (issue 22), added in SQL.
    /// </summary>
    private (List<OrderHourRollup> Hours, List<OrderDayRollup> Days) OrderRollupDeltas()
    {
        var deltas = new Dictionary<string, OrderHourRollup>(StringComparer.Ordinal);
        var days = new Dictionary<string, OrderDayRollup>(StringComparer.Ordinal);
        foreach (var order in _newOrders)
            foreach (var (dimension, value) in OrderHourRollup.DimensionsOf(order))
            {
                var key = OrderHourRollup.KeyOf(order.CreatedHour, dimension, value);
                if (!deltas.TryGetValue(key, out var d))
                    deltas[key] = d = new OrderHourRollup { Key = key, Hour = order.CreatedHour, Dimension = dimension, Value = value };
                d.CountRegistration(order);
                var day = CallDayRollup.DayOf(order.CreatedHour);
                var dayKey = OrderDayRollup.KeyOf(day, dimension, value);
                if (!days.TryGetValue(dayKey, out var dd))
                    days[dayKey] = dd = new OrderDayRollup { Key = dayKey, Day = day, Dimension = dimension, Value = value };
                dd.CountRegistration(order);
            }
        // Lock order, as for calls: every instance takes the hour rows, then the day rows, each in key order.
        return ([.. deltas.Values.OrderBy(d => d.Key, StringComparer.Ordinal)], [.. days.Values.OrderBy(d => d.Key, StringComparer.Ordinal)]);
    }

    private CallHourRollup Delta(long hour, string queue, string agent)
    {
        var key = CallHourRollup.KeyOf(hour, queue, agent);
        if (!_rollupDeltas.TryGetValue(key, out var d))
            _rollupDeltas[key] = d = new CallHourRollup { Key = key, Hour = hour, Queue = queue, AgentId = agent };
        return d;
    }

    /// <summary>
    /// The call rollups' deltas per hour × queue × agent, then per hour × queue and per UTC day × queue × agent (issue 22:
    /// sums of the first), each in key order (the lock order, as for calls).
    /// </summary>
    private CallRollupDeltas RollupDeltas()
    {
        var hours = _rollupDeltas.Values.OrderBy(d => d.Key, StringComparer.Ordinal).ToList();
        var queueHours = new Dictionary<string, CallQueueHourRollup>(StringComparer.Ordinal);
        var days = new Dictionary<string, CallDayRollup>(StringComparer.Ordinal);
        foreach (var d in hours)
        {
            var queueHour = CallQueueHourRollup.Of(d);
            if (queueHours.TryGetValue(queueHour.Key, out var queueSum)) queueSum.Add(queueHour);
            else queueHours[queueHour.Key] = queueHour;
            var day = CallDayRollup.Of(d);
            if (days.TryGetValue(day.Key, out var sum)) sum.Add(day);
            else days[day.Key] = day;
        }
        return new CallRollupDeltas(hours, [.. queueHours.Values.OrderBy(d => d.Key, StringComparer.Ordinal)],
            [.. days.Values.OrderBy(d => d.Key, StringComparer.Ordinal)]);
    }

    public static long HourOf(DateTime utc) => (long)(utc - DateTime.UnixEpoch).TotalHours;

    private static string EventIdOf(IngestEnvelope env) => env.EventCase switch
    {
        IngestEnvelope.EventOneofCase.Call => env.Call.EventId ?? "",
        IngestEnvelope.EventOneofCase.Agent => env.Agent.EventId ?? "",
        _ => "",
    };
}
