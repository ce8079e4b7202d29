using Hotline.AcdEngine.Events;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Tests.Fakes;

/// <summary>An event sink that keeps everything and lets a test await an event.</summary>
public sealed class RecordingSink : IEventSink
{
    private readonly List<IngestEnvelope> _events = [];
    private readonly List<(Func<IngestEnvelope, bool> Match, TaskCompletionSource<IngestEnvelope> Tcs)> _waiters = [];
    private readonly Lock _gate = new();

    public void Append(IngestEnvelope envelope)
    {
        lock (_gate)
        {
            _events.Add(envelope);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(envelope)) continue;
                _waiters[i].Tcs.TrySetResult(envelope);
                _waiters.RemoveAt(i);
            }
        }
    }

    public IReadOnlyList<CallEvent> CallEvents(string? callId = null)
    {
        lock (_gate) return _events.Where(e => e.Call is not null && (callId is null || e.Call.CallId == callId)).Select(e => e.Call).ToList();
    }

    public IReadOnlyList<AgentEvent> AgentEvents(string agentId)
    {
        lock (_gate) return _events.Where(e => e.Agent is not null && e.Agent.AgentId == agentId).Select(e => e.Agent).ToList();
    }

    public async Task<CallEvent> WaitForCallAsync(CallEvent.PayloadOneofCase kind)
    {
        TaskCompletionSource<IngestEnvelope> tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _events.FirstOrDefault(e => e.Call?.PayloadCase == kind);
            if (seen is not null) return seen.Call;
            _waiters.Add((e => e.Call?.PayloadCase == kind, tcs));
        }
        return (await tcs.Task.WaitAsync(TimeSpan.FromSeconds(10))).Call;
    }
}
