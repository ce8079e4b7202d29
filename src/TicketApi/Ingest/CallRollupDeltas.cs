using Hotline.TicketApi.Calls;

namespace Hotline.TicketApi.Ingest;

/// <summary>
/// What one batch adds to the call rollups: per hour × queue × agent, and its sums per hour × queue and per UTC day ×
/// queue × agent (issue 22), each list in key order — the order every instance takes those rows' locks in.
/// </summary>
internal sealed record CallRollupDeltas(List<CallHourRollup> Hours, List<CallQueueHourRollup> QueueHours, List<CallDayRollup> Days);
