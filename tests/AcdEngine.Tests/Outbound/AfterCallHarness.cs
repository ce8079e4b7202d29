using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Recording;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Survey;
using Hotline.AcdEngine.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Opt = Microsoft.Extensions.Options.Options;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Dialing;

namespace Hotline.AcdEngine.Tests.Outbound;

/// <summary>The ACD with the survey and the outbound dialer, over fake telephony in virtual time.</summary>
public sealed class AfterCallHarness : IDisposable
{
    public const string Gateway = "sip:gw.example.org:5070";

    /// <param name="recordingsRoot">Set: <c>Recording:Enabled</c> with that folder, over phones that can record.</param>
    public AfterCallHarness(SurveyOptions? survey = null, OutboundOptions? outbound = null, Hotline.Cti.Calls.ITelephony? telephony = null,
        string? recordingsRoot = null)
    {
        Time = new ObservableTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        Options = AcdHarness.DefaultOptions();
        Telephony = new FakeTelephony(Time);
        Sink = new RecordingSink();
        Roster = new AgentRoster(Opt.Create(new AgentsOptions { List = [AcdHarness.Agent("a1", "1001"), AcdHarness.Agent("a2", "1002")] }), Opt.Create(Options), Time);
        Queues = new CallQueues(Opt.Create(Options), Roster, Time);
        var stats = new LiveStats(Queues, Roster, Time, Opt.Create(new NodeOptions { Id = "acd-test" }));
        var prompts = new FakePromptLibrary();
        Survey = survey ?? new SurveyOptions();
        Outbound = outbound ?? new OutboundOptions { Gateway = Gateway };
        if (recordingsRoot is not null) Phones = new Conference.ConferenceTelephony(Telephony, Time);
        var recordings = recordingsRoot is null ? null
            : new CallRecordings(recordingsRoot, new RecordingOptions { Enabled = true }, Time, NullLogger<CallRecordings>.Instance);
        var ctx = new CallFlowContext(telephony ?? Phones ?? (Hotline.Cti.Calls.ITelephony)Telephony, Roster, Queues, stats, prompts, Sink, Time, Options, "acd-test",
            new BusinessHours(Options.BusinessHours), NullLogger.Instance, Recordings: recordings)
        {
            Survey = new PostCallSurvey(Survey, prompts, Time),
        };
        Dialer = new OutboundDialer(ctx, Outbound);
        Router = new CallRouter(ctx) { AgentDial = Dialer.TryTakeSoftphoneCall };
    }

    public ObservableTimeProvider Time { get; }
    public AcdOptions Options { get; }
    public SurveyOptions Survey { get; }
    public OutboundOptions Outbound { get; }
    public FakeTelephony Telephony { get; }

    /// <summary>With recording: the telephony whose dialled legs (<see cref="Conference.PhoneLeg"/>) record.</summary>
    public Conference.ConferenceTelephony? Phones { get; }
    public RecordingSink Sink { get; }
    public AgentRoster Roster { get; }
    public CallQueues Queues { get; }
    public OutboundDialer Dialer { get; }
    public CallRouter Router { get; }

    public void Ready(params string[] ids)
    {
        foreach (var id in ids) Roster.SignIn(id, ready: true);
    }

    /// <summary>An inbound call answered by a1: returns the caller's leg and a1's leg, bridged.</summary>
    public async Task<(FakeCallLeg Caller, FakeOutboundCall Agent)> TalkingAsync()
    {
        Ready("a1");
        var caller = Telephony.Call("13800138000", "12345");
        await caller.PlayedAsync("greeting");
        Time.Advance(FakePromptLibrary.GreetingLength);
        var agent = await Telephony.NextDialAsync();
        agent.Answer();
        await Telephony.NextBridgeAsync();
        return (caller, agent);
    }

    public Task FinishedAsync(OutboundCallFlow? _ = null)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Dialer.CallFinished += _ => tcs.TrySetResult();
        Router.CallFinished += _ => tcs.TrySetResult();
        return tcs.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

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

    public void Dispose()
    {
        Router.Dispose();
        Dialer.Dispose();
    }
}
