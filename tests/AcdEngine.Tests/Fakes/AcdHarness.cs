using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Stats;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Hours;

namespace Hotline.AcdEngine.Tests.Fakes;

/// <summary>The whole ACD over fake telephony, fake prompts and a recording sink, in virtual time.</summary>
public sealed class AcdHarness : IDisposable
{
    public AcdHarness(AcdOptions? acd = null, params AgentOptions[] agents)
        : this(null, acd, agents)
    {
    }

    /// <summary>An engine whose agents are shared with other engines through <paramref name="leases"/> (null = alone).</summary>
    public AcdHarness(IAgentLeases? leases, AcdOptions? acd, params AgentOptions[] agents)
    {
        Time = new ObservableTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        Options = acd ?? DefaultOptions();
        if (Options.Queues.Count == 0) Options.Queues["general"] = new QueueOptions();
        Agents = agents.Length > 0 ? agents : [Agent("a1", "1001"), Agent("a2", "1002")];
        Telephony = new FakeTelephony(Time);
        Sink = new RecordingSink();
        var node = Microsoft.Extensions.Options.Options.Create(new NodeOptions { Id = "acd-test" });
        Roster = new AgentRoster(Microsoft.Extensions.Options.Options.Create(new AgentsOptions { List = [.. Agents] }), Microsoft.Extensions.Options.Options.Create(Options), Time, leases);
        AgentEvents = new AgentEventRecorder(Roster, node, Sink, new NoSequences());
        Queues = new CallQueues(Microsoft.Extensions.Options.Options.Create(Options), Roster, Time);
        Stats = new LiveStats(Queues, Roster, Time, node);
        var ctx = new CallFlowContext(Telephony, Roster, Queues, Stats, new FakePromptLibrary(), Sink, Time, Options, "acd-test",
            new BusinessHours(Options.BusinessHours), NullLogger.Instance)
        {
            Voicemail = new VoicemailBox(VoicemailRoot, Time),
        };
        Router = new CallRouter(ctx);
    }

    public ObservableTimeProvider Time { get; }
    public AcdOptions Options { get; }
    public IReadOnlyList<AgentOptions> Agents { get; }
    public FakeTelephony Telephony { get; }
    public RecordingSink Sink { get; }
    public AgentRoster Roster { get; }
    public AgentEventRecorder AgentEvents { get; }
    public CallQueues Queues { get; }
    public LiveStats Stats { get; }
    public CallRouter Router { get; }

    /// <summary>A temporary folder for voicemail messages, deleted on dispose.</summary>
    public string VoicemailRoot { get; } = Path.Combine(Path.GetTempPath(), "hotline-vm-" + Guid.NewGuid().ToString("N"));

    public static AcdOptions DefaultOptions() => new()
    {
        RingTimeoutSeconds = 15,
        WrapUpSeconds = 10,
        AnnounceEverySeconds = 0,
        Queues = new(StringComparer.Ordinal) { ["general"] = new QueueOptions() },
    };

    public static AgentOptions Agent(string id, string user, string queue = "general") =>
        new() { Id = id, User = user, Queues = [queue] };

    /// <summary>Signs agents in ready, one after another with 1 s between them (so longest idle is the first).</summary>
    public void Ready(params string[] ids)
    {
        foreach (var id in ids)
        {
            Roster.SignIn(id, ready: true);
            Time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Completes when <paramref name="agentId"/> reaches <paramref name="state"/> (now or later).</summary>
    public Task WaitForAgentAsync(string agentId, AgentState state)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(AgentTransition t)
        {
            if (t.AgentId == agentId && t.To == state) tcs.TrySetResult();
        }
        Roster.Changed += OnChange;
        if (Roster.Get(agentId).State == state) tcs.TrySetResult();
        return tcs.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(t => { Roster.Changed -= OnChange; t.GetAwaiter().GetResult(); }, TaskScheduler.Default);
    }

    /// <summary>Completes when a call's flow has finished.</summary>
    public Task WaitForCallFinishedAsync()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Router.CallFinished += _ => tcs.TrySetResult();
        return tcs.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        Router.Dispose();
        if (Directory.Exists(VoicemailRoot)) Directory.Delete(VoicemailRoot, recursive: true);
    }

    private sealed class NoSequences : IAgentSequenceStore
    {
        public IReadOnlyDictionary<string, ulong> LastSequences() => new Dictionary<string, ulong>();
    }
}
