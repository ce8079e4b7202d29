using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Dialing;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Recording;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Survey;
using Hotline.AcdEngine.Tests.Conference;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Hotline.AcdEngine.Tests.Fakes;

/// <summary>
/// The whole ACD over fake telephony, fake prompts and a recording sink, in virtual time — the one harness of the
/// engine's tests. What it includes (departments, recording, survey and dialer, shared agents, another telephony) is
/// chosen with an <see cref="AcdSetup"/>.
/// </summary>
public sealed class AcdHarness : IDisposable
{
    private readonly OutboundDialer? _dialer;

    /// <summary>The outbound gateway of <see cref="AcdSetup.WithAfterCall"/> when none is given.</summary>
    public const string Gateway = "sip:gw.example.org:5070";

    /// <summary>How long the department's contacts ring (<see cref="AcdSetup.DepartmentHours"/>).</summary>
    public static readonly TimeSpan DepartmentRingTimeout = TimeSpan.FromSeconds(20);

    public AcdHarness(AcdOptions? acd = null, params AgentOptions[] agents)
        : this(new AcdSetup { Acd = acd, Agents = agents.Length > 0 ? agents : null })
    {
    }

    /// <summary>An engine whose agents are shared with other engines through <paramref name="leases"/> (null = alone).</summary>
    public AcdHarness(IAgentLeases? leases, AcdOptions? acd, params AgentOptions[] agents)
        : this(new AcdSetup { Leases = leases, Acd = acd, Agents = agents.Length > 0 ? agents : null })
    {
    }

    public AcdHarness(AcdSetup setup)
    {
        Time = new ObservableTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        Options = setup.Acd ?? DefaultOptions();
        if (Options.Queues.Count == 0) Options.Queues["general"] = new QueueOptions();
        Agents = setup.Agents ?? [Agent("a1", "1001"), Agent("a2", "1002")];
        Telephony = new FakeTelephony(Time);
        Phones = new ConferenceTelephony(Telephony, Time);
        Sink = new RecordingSink();
        var node = MsOptions.Create(new NodeOptions { Id = "acd-test" });
        Roster = new AgentRoster(MsOptions.Create(new AgentsOptions { List = [.. Agents] }), MsOptions.Create(Options), Time, setup.Leases);
        AgentEvents = new AgentEventRecorder(Roster, node, Sink, new NoSequences());
        Queues = new CallQueues(MsOptions.Create(Options), Roster, Time);
        Stats = new LiveStats(Queues, Roster, Time, node);
        Departments = setup.DepartmentHours is null ? null : new DepartmentDirectory(
            [new DepartmentOptions { Id = "water", Name = "Water", Code = "1", Contacts = ["2001", "2002"], Hours = setup.DepartmentHours }],
            new ConferenceOptions { RingTimeoutSeconds = (int)DepartmentRingTimeout.TotalSeconds, Attempts = 2 });
        var recordings = setup.RecordingsRoot is null ? null
            : new CallRecordings(setup.RecordingsRoot, new RecordingOptions { Enabled = true }, Time, NullLogger<CallRecordings>.Instance);
        // Departments and recording need phones that hold, record and join conferences (PhoneLeg); the ACD alone does not.
        ITelephony telephony = setup.Telephony ?? (Departments is not null || recordings is not null ? Phones : Telephony);
        var prompts = new FakePromptLibrary();
        Survey = setup.Survey ?? new SurveyOptions();
        Outbound = setup.AfterCall ? setup.Outbound ?? new OutboundOptions { Gateway = Gateway } : setup.Outbound;
        var ctx = new CallFlowContext(telephony, Roster, Queues, Stats, prompts, Sink, Time, Options, "acd-test",
            new BusinessHours(Options.BusinessHours), NullLogger.Instance, Departments, recordings)
        {
            Voicemail = new VoicemailBox(VoicemailRoot, Time),
            Survey = setup.AfterCall ? new PostCallSurvey(Survey, prompts, Time) : null,
            DialPlan = !setup.AfterCall && Outbound is not null ? new DialPlan(Outbound) : null,
        };
        Context = ctx;
        _dialer = setup.AfterCall ? new OutboundDialer(ctx, Outbound!) : null;
        Router = new CallRouter(ctx) { AgentDial = _dialer is null ? null : _dialer.TryTakeSoftphoneCall };
        Router.AgentCallEvent += (agent, e) => { lock (Notices) Notices.Add((agent, e)); };
    }

    public ObservableTimeProvider Time { get; }
    public AcdOptions Options { get; }
    public IReadOnlyList<AgentOptions> Agents { get; }

    /// <summary>The fake telephony: tests place calls and answer dials here.</summary>
    public FakeTelephony Telephony { get; }

    /// <summary>
    /// The same fakes with phones that hold, record and join conferences (<see cref="PhoneLeg"/>): what the ACD uses
    /// when departments or recording are set up.
    /// </summary>
    public ConferenceTelephony Phones { get; }
    public RecordingSink Sink { get; }
    public AgentRoster Roster { get; }
    public AgentEventRecorder AgentEvents { get; }
    public CallQueues Queues { get; }
    public LiveStats Stats { get; }
    public DepartmentDirectory? Departments { get; }
    public SurveyOptions Survey { get; }
    public OutboundOptions? Outbound { get; }

    /// <summary>The outbound dialer (<see cref="AcdSetup.AfterCall"/> only).</summary>
    public OutboundDialer Dialer => _dialer ?? throw new InvalidOperationException("No outbound dialer: build the harness with AcdSetup.WithAfterCall.");
    public CallRouter Router { get; }

    /// <summary>What every call's flow works with here (stage classes are tested on it without a flow).</summary>
    public CallFlowContext Context { get; }

    /// <summary>What the engine told each agent's desk (screen pops, ends).</summary>
    public List<(string AgentId, CallEvent Event)> Notices { get; } = [];

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

    /// <summary>Signs agents in ready at this very moment (no time passes).</summary>
    public void SignIn(params string[] ids)
    {
        foreach (var id in ids) Roster.SignIn(id, ready: true);
    }

    /// <summary>A caller connected to agent a1: the caller's leg, the agent's dial, the flow.</summary>
    public async Task<(FakeCallLeg Caller, FakeOutboundCall Agent, InboundCallFlow Flow)> ConnectedCallAsync()
    {
        SignIn("a1");
        var caller = Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        Time.Advance(FakePromptLibrary.GreetingLength);
        var agent = await Telephony.NextDialAsync();
        agent.Answer();
        await Telephony.NextBridgeAsync();
        return (caller, agent, Router.FindByAgent("a1")!);
    }

    /// <summary>An inbound call answered by a1: the caller's leg and a1's leg, bridged.</summary>
    public async Task<(FakeCallLeg Caller, FakeOutboundCall Agent)> TalkingAsync()
    {
        var (caller, agent, _) = await ConnectedCallAsync();
        return (caller, agent);
    }

    /// <summary>The department's dials of one attempt (both contacts, in order).</summary>
    public async Task<(FakeOutboundCall First, FakeOutboundCall Second)> DepartmentDialsAsync() =>
        (await Telephony.NextDialAsync(), await Telephony.NextDialAsync());

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

    /// <summary>Completes when an inbound or an outbound call's flow has finished.</summary>
    public Task FinishedAsync()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_dialer is not null) _dialer.CallFinished += _ => tcs.TrySetResult();
        Router.CallFinished += _ => tcs.TrySetResult();
        return tcs.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        Router.Dispose();
        _dialer?.Dispose();
        if (Directory.Exists(VoicemailRoot)) Directory.Delete(VoicemailRoot, recursive: true);
    }

    private sealed class NoSequences : IAgentSequenceStore
    {
        public IReadOnlyDictionary<string, ulong> LastSequences() => new Dictionary<string, ulong>();
    }
}
