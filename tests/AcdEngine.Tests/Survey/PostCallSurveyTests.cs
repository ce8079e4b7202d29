using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Survey;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.AcdEngine.Tests.Outbound;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Survey;

/// <summary>The post-call survey over fake telephony in virtual time (issue 10; DOMAIN.md "the caller rates").</summary>
[TestFixture]
public sealed class PostCallSurveyTests
{
    [TestCase('1', SatisfactionScore.Satisfied)]
    [TestCase('2', SatisfactionScore.BasicallySatisfied)]
    [TestCase('3', SatisfactionScore.NotSatisfied)]
    public async Task Agent_hangs_up_first_the_caller_rates_with_a_key(char key, SatisfactionScore expected)
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        var (caller, agent) = await acd.TalkingAsync();
        var finished = acd.FinishedAsync();
        agent.FakeLeg.RemoteHangup();
        await caller.PlayedAsync("survey");
        Assert.That(caller.State, Is.EqualTo(CallLegState.Connected), "the caller stays on the line");
        await acd.WaitForAgentAsync("a1", AgentState.WrapUp); // The agent is released while the caller rates.
        caller.Press(key);
        var rated = (await acd.Sink.WaitForCallAsync(Kind.SatisfactionRated)).SatisfactionRated;
        Assert.That((rated.AgentId, rated.Queue, rated.Score, rated.Direction), Is.EqualTo(("a1", "general", expected, CallDirection.Inbound)));
        await caller.PlayedAsync("survey-thanks");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        acd.Time.Advance(TimeSpan.FromSeconds(10)); // Wrap-up.
        await finished;
        var kinds = acd.Sink.CallEvents().Select(e => e.PayloadCase).ToList();
        Assert.That(kinds[^2..], Is.EqualTo(new[] { Kind.SatisfactionRated, Kind.Ended }));
        Assert.That(acd.Sink.CallEvents()[^1].Ended.HangupBy, Is.EqualTo(HangupBy.Agent));
    }

    [Test]
    public async Task A_key_that_is_not_a_rating_is_ignored_and_a_later_valid_key_counts()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        var (caller, agent) = await acd.TalkingAsync();
        agent.FakeLeg.RemoteHangup();
        await caller.PlayedAsync("survey");
        caller.Press('9');
        caller.Press('1');
        var rated = (await acd.Sink.WaitForCallAsync(Kind.SatisfactionRated)).SatisfactionRated;
        Assert.That(rated.Score, Is.EqualTo(SatisfactionScore.Satisfied));
    }

    [Test]
    public async Task No_key_within_the_timeout_is_not_rated_and_the_caller_is_hung_up()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        var (caller, agent) = await acd.TalkingAsync();
        agent.FakeLeg.RemoteHangup();
        await caller.PlayedAsync("survey");
        acd.Time.ForgetTimers();
        acd.Time.Advance(TimeSpan.FromSeconds(1)); // The prompt (1 s) ends; the 8 s key timeout starts.
        await acd.Time.TimerArmedAsync(TimeSpan.FromSeconds(8));
        acd.Time.Advance(TimeSpan.FromSeconds(7.9));
        Assert.That(acd.Sink.CallEvents().Any(e => e.PayloadCase == Kind.SatisfactionRated), Is.False, "not before the timeout");
        acd.Time.Advance(TimeSpan.FromMilliseconds(100));
        var rated = (await acd.Sink.WaitForCallAsync(Kind.SatisfactionRated)).SatisfactionRated;
        Assert.That(rated.Score, Is.EqualTo(SatisfactionScore.NotRated));
        await caller.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task Caller_hanging_up_during_the_prompt_is_not_rated_and_nothing_is_left_running()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        var (caller, agent) = await acd.TalkingAsync();
        var finished = acd.FinishedAsync();
        agent.FakeLeg.RemoteHangup();
        await caller.PlayedAsync("survey");
        caller.RemoteHangup();
        var rated = (await acd.Sink.WaitForCallAsync(Kind.SatisfactionRated)).SatisfactionRated;
        Assert.That(rated.Score, Is.EqualTo(SatisfactionScore.NotRated));
        acd.Time.Advance(TimeSpan.FromSeconds(10)); // Wrap-up only: no survey timer holds the call.
        await finished;
        Assert.That(acd.Router.ActiveCalls, Is.Zero);
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
        Assert.That(acd.Sink.CallEvents().Count(e => e.PayloadCase == Kind.Ended), Is.EqualTo(1));
    }

    [Test]
    public async Task Caller_hanging_up_first_gets_no_survey()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall());
        var (caller, _) = await acd.TalkingAsync();
        var finished = acd.FinishedAsync();
        caller.RemoteHangup();
        await acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await finished;
        Assert.That(acd.Sink.CallEvents().Any(e => e.PayloadCase == Kind.SatisfactionRated), Is.False);
    }

    [Test]
    public async Task Disabled_survey_hangs_up_the_caller_with_the_agent_but_the_CTI_transfer_still_surveys()
    {
        using var acd = new AcdHarness(AcdSetup.WithAfterCall(new SurveyOptions { Enabled = false }));
        var (caller, agent) = await acd.TalkingAsync();
        agent.FakeLeg.RemoteHangup();
        await caller.EndedTask.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(acd.Sink.CallEvents().Any(e => e.PayloadCase == Kind.SatisfactionRated), Is.False);

        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await acd.WaitForAgentAsync("a1", AgentState.Ready);
        var second = acd.Telephony.Call("13800138001", "12345");
        await second.PlayedAsync("greeting");
        acd.Time.Advance(FakePromptLibrary.GreetingLength);
        var dial = await acd.Telephony.NextDialAsync();
        dial.Answer();
        await acd.Telephony.NextBridgeAsync();
        var flow = acd.Router.FindByAgent("a1")!;
        var (ok, error) = await flow.TransferToSurveyAsync("a1", CancellationToken.None);
        Assert.That(ok, Is.True, error);
        Assert.That(dial.FakeLeg.State, Is.EqualTo(CallLegState.Ended), "the agent is released");
        await second.PlayedAsync("survey");
        second.Press('3');
        await acd.Sink.WaitForCallAsync(Kind.SatisfactionRated);
        Assert.That(acd.Sink.CallEvents(flow.CallId).Single(e => e.PayloadCase == Kind.SatisfactionRated).SatisfactionRated.Score, Is.EqualTo(SatisfactionScore.NotSatisfied));
    }

    [Test]
    public void Options_name_each_bad_key()
    {
        var o = new SurveyOptions { TimeoutSeconds = 0 };
        o.Digits["12"] = SurveyScore.Satisfied;
        o.Digits["4"] = (SurveyScore)9;
        Assert.That(o.Problems(), Is.EquivalentTo(new[]
        {
            "Survey:TimeoutSeconds must be between 1 and 120.",
            "Survey:Digits key '12' must be one DTMF key (0-9, * or #).",
            "Survey:Digits:4 must be Satisfied, BasicallySatisfied or NotSatisfied.",
        }));
        Assert.That(new SurveyOptions().Problems(), Is.Empty);
    }
}
