using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Recording;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Dialing;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>The ACD with one department ("water", code 1, contacts 2001 and 2002) over fake telephony, in virtual time.</summary>
public sealed class ConferenceHarness : IDisposable
{
    public static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(20);

    public ConferenceHarness(string hours = "", string? recordingsRoot = null, OutboundOptions? outbound = null)
    {
        Time = new ObservableTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var options = AcdHarness.DefaultOptions();
        Inner = new FakeTelephony(Time);
        Telephony = new ConferenceTelephony(Inner, Time);
        Sink = new RecordingSink();
        var node = MsOptions.Create(new NodeOptions { Id = "acd-test" });
        Roster = new AgentRoster(MsOptions.Create(new AgentsOptions { List = [AcdHarness.Agent("a1", "1001"), AcdHarness.Agent("a2", "1002")] }), MsOptions.Create(options), Time);
        var queues = new CallQueues(MsOptions.Create(options), Roster, Time);
        var stats = new LiveStats(queues, Roster, Time, node);
        Departments = new DepartmentDirectory(
            [new DepartmentOptions { Id = "water", Name = "Water", Code = "1", Contacts = ["2001", "2002"], Hours = hours }],
            new ConferenceOptions { RingTimeoutSeconds = (int)RingTimeout.TotalSeconds, Attempts = 2 });
        var ctx = new CallFlowContext(Telephony, Roster, queues, stats, new FakePromptLibrary(), Sink, Time, options, "acd-test",
            new BusinessHours(options.BusinessHours), NullLogger.Instance, Departments,
            recordingsRoot is null ? null : new CallRecordings(recordingsRoot, new RecordingOptions { Enabled = true }, Time, NullLogger<CallRecordings>.Instance))
        {
            DialPlan = outbound is null ? null : new DialPlan(outbound),
        };
        Router = new CallRouter(ctx);
        Router.AgentCallEvent += (agent, e) => { lock (Notices) Notices.Add((agent, e)); };
    }

    public ObservableTimeProvider Time { get; }
    public FakeTelephony Inner { get; }
    public ConferenceTelephony Telephony { get; }
    public RecordingSink Sink { get; }
    public AgentRoster Roster { get; }
    public DepartmentDirectory Departments { get; }
    public CallRouter Router { get; }
    public List<(string AgentId, CallEvent Event)> Notices { get; } = [];

    /// <summary>A caller connected to agent a1: the caller's leg, the agent's dial, the flow.</summary>
    public async Task<(FakeCallLeg Caller, FakeOutboundCall Agent, InboundCallFlow Flow)> ConnectedCallAsync()
    {
        Roster.SignIn("a1", ready: true);
        var caller = Inner.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        Time.Advance(FakePromptLibrary.GreetingLength);
        var agent = await Inner.NextDialAsync();
        agent.Answer();
        await Inner.NextBridgeAsync();
        return (caller, agent, Router.FindByAgent("a1")!);
    }

    /// <summary>The department's dials of one attempt (both contacts, in order).</summary>
    public async Task<(FakeOutboundCall First, FakeOutboundCall Second)> DepartmentDialsAsync() =>
        (await Inner.NextDialAsync(), await Inner.NextDialAsync());

    public Task WaitForAgentAsync(AgentState state)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(AgentTransition t)
        {
            if (t.AgentId == "a1" && t.To == state) tcs.TrySetResult();
        }
        Roster.Changed += OnChange;
        if (Roster.Get("a1").State == state) tcs.TrySetResult();
        return tcs.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public Task WaitForCallFinishedAsync()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Router.CallFinished += _ => tcs.TrySetResult();
        return tcs.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public void Dispose() => Router.Dispose();
}
