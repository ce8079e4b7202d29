using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>The ring stage alone (no flow): RONA, first answer wins, the caller leaving cancels every INVITE.</summary>
[TestFixture]
public sealed class RingStageTests
{
    [Test]
    public async Task An_agent_who_does_not_answer_within_the_ring_timeout_is_made_not_ready_rona()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1");
        var (session, stage, gone) = Start(acd);
        var offered = Reserve(acd, session, "a1");

        var ring = stage.RunAsync("general", offered, Connected);
        var dial = await acd.Telephony.NextDialAsync();
        Assert.That((dial.Target, dial.Options.CallerId, dial.Options.DisplayName), Is.EqualTo(("1001", "13800138000", "general")));
        Assert.That(dial.Options.Headers!["X-Hotline-Call"], Is.EqualTo(session.CallId));
        acd.Time.Advance(TimeSpan.FromSeconds(acd.Options.RingTimeoutSeconds));

        Assert.That(await ring, Is.Null);
        var agent = acd.Roster.Get("a1");
        Assert.That((agent.State, agent.Reason), Is.EqualTo((AgentState.NotReady, "rona")));
        var ended = acd.Sink.CallEvents(session.CallId).Single(e => e.PayloadCase == Kind.RingEnded).RingEnded;
        Assert.That((ended.Result, ended.SipStatus, ended.RingMs), Is.EqualTo((RingResult.NoAnswer, 408u, 15000u)));
        Assert.That(session.Timeline.Rings.Single().Result, Is.EqualTo(RingResult.NoAnswer));
        Assert.That(gone.Task.IsCompleted, Is.False);
    }

    [Test]
    public async Task Ring_all_the_first_answer_is_connected_and_the_others_are_cancelled_and_ready_again()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1", "a2");
        var (session, stage, _) = Start(acd);
        var offered = Reserve(acd, session, "a1", "a2");

        var ring = stage.RunAsync("general", offered, Connected);
        var first = await acd.Telephony.NextDialAsync();
        var second = await acd.Telephony.NextDialAsync();
        second.Answer();

        Assert.That(await ring, Is.EqualTo("a2"));
        Assert.That(first.Cancelled, Is.True);
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
        var rings = acd.Sink.CallEvents(session.CallId).Where(e => e.PayloadCase == Kind.RingEnded).Select(e => (e.RingEnded.AgentId, e.RingEnded.Result));
        Assert.That(rings, Is.EqualTo(new[] { ("a1", RingResult.Cancelled) }), "the winner's RingEnded is the orchestrator's, with CallAnswered");
    }

    [Test]
    public async Task The_caller_hanging_up_cancels_every_invite_and_frees_the_agents()
    {
        using var acd = new AcdHarness();
        acd.Ready("a1", "a2");
        var (session, stage, gone) = Start(acd);
        var offered = Reserve(acd, session, "a1", "a2");

        var ring = stage.RunAsync("general", offered, Connected);
        var dials = new[] { await acd.Telephony.NextDialAsync(), await acd.Telephony.NextDialAsync() };
        gone.TrySetResult();

        Assert.That(await ring, Is.Null);
        Assert.That(dials.Select(d => d.Cancelled), Is.All.True);
        Assert.That(new[] { "a1", "a2" }.Select(a => acd.Roster.Get(a).State), Is.All.EqualTo(AgentState.Ready));
        Assert.That(acd.Sink.CallEvents(session.CallId).Count(e => e.PayloadCase == Kind.RingEnded && e.RingEnded.Result == RingResult.Cancelled), Is.EqualTo(2));
    }

    [Test]
    public async Task Busy_rings_in_a_row_up_to_MaxBusyInARow_leave_the_agent_not_ready_phone_always_busy()
    {
        var options = AcdHarness.DefaultOptions();
        options.MaxBusyInARow = 2;
        using var acd = new AcdHarness(options);
        acd.Ready("a1");
        var reasons = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var (session, stage, _) = Start(acd);
            var ring = stage.RunAsync("general", Reserve(acd, session, "a1"), Connected);
            (await acd.Telephony.NextDialAsync()).Reject(486);
            Assert.That(await ring, Is.Null);
            reasons.Add(acd.Roster.Get("a1").Reason);
            acd.Time.Advance(TimeSpan.FromSeconds(acd.Options.BusyRetrySeconds));
        }
        Assert.That(reasons, Is.EqualTo(new[] { AgentRoster.Busy, AgentRoster.AlwaysBusy }));
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.NotReady), "the busy retry does not end it");
    }

    [TestCase(0, RingResult.NoAnswer, "rona")]
    [TestCase(408, RingResult.NoAnswer, "rona")]
    [TestCase(486, RingResult.Rejected, "busy")]
    [TestCase(600, RingResult.Rejected, "busy")]
    [TestCase(603, RingResult.Rejected, "declined")]
    [TestCase(487, RingResult.Cancelled, null)]
    [TestCase(503, RingResult.Failed, "unreachable")]
    public void A_failed_ring_is_classified_by_its_sip_status(int status, RingResult result, string? notReady) =>
        Assert.That(RingStage.Classify(new DialResult(false, status, "")), Is.EqualTo((result, notReady)));

    private static string Connected(AgentSnapshot agent, ICallLeg leg, Tracking.RingAttempt attempt) => agent.Id;

    private static (CallSession, RingStage, TaskCompletionSource) Start(AcdHarness acd)
    {
        var session = acd.Context.NewSession(CallDirection.Inbound);
        var caller = new FakeCallLeg("13800138000", "12345", CallLegDirection.Inbound, acd.Time);
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (session, new RingStage(acd.Context, session, caller, gone.Task), gone);
    }

    private static List<AgentSnapshot> Reserve(AcdHarness acd, CallSession session, params string[] agents)
    {
        foreach (var a in agents) Assert.That(acd.Roster.TryReserve(a, session.CallId), Is.True);
        return [.. agents.Select(acd.Roster.Get)];
    }
}
