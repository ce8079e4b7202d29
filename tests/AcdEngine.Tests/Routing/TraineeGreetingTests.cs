using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Tests.Fakes;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;
using Hotline.AcdEngine.Agents;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>
/// DOMAIN.md "The call": the trainee variant of the greeting speaks the agent's number. A trainee's caller (and the
/// trainee) hear it when the trainee answers, then they are bridged; other agents' callers are bridged at once.
/// </summary>
[TestFixture]
public sealed class TraineeGreetingTests
{
    private static readonly TimeSpan TraineeGreetingLength = TimeSpan.FromSeconds(4); // FakePromptLibrary

    private static AcdHarness Engine(AgentOptions agent)
    {
        var o = AcdHarness.DefaultOptions();
        o.Greeting = "";
        return new AcdHarness(o, agent);
    }

    [TestCase("1001", "", "1001", TestName = "the SIP user is the number")]
    [TestCase("ann", "0070", "0070", TestName = "a configured number, leading zeros kept")]
    public async Task A_trainees_caller_hears_the_trainee_greeting_with_the_agents_number_then_the_bridge(string user, string number, string spoken)
    {
        var agent = AcdHarness.Agent("a1", user);
        agent.Trainee = true;
        agent.Number = number;
        using var acd = Engine(agent);
        acd.Ready("a1");
        var caller = acd.Telephony.Call("13800138000", "12345");
        var ring = await acd.Telephony.NextDialAsync();
        ring.Answer();

        await caller.PlayedAsync("trainee-greeting-" + spoken);
        await ring.FakeLeg.PlayedAsync("trainee-greeting-" + spoken);
        var answered = (await acd.Sink.WaitForCallAsync(Kind.Answered)).Answered;
        Assert.That(answered.WaitMs, Is.EqualTo(0), "the answer counts when the trainee answered, not after the greeting");
        acd.Time.Advance(TraineeGreetingLength - TimeSpan.FromMilliseconds(20));
        Assert.Multiple(() =>
        {
            Assert.That(caller.Hearing, Is.EqualTo("trainee-greeting-" + spoken), "not bridged while the greeting plays");
            Assert.That(ring.FakeLeg.Hearing, Is.EqualTo("trainee-greeting-" + spoken), "the trainee hears it too: their cue to speak");
        });

        acd.Time.Advance(TimeSpan.FromMilliseconds(20));
        var (a, b) = await acd.Telephony.NextBridgeAsync();
        Assert.Multiple(() =>
        {
            Assert.That((a, b), Is.EqualTo(((Cti.Calls.ICallLeg)caller, ring.Leg)));
            Assert.That(caller.Hearing, Is.EqualTo("bridge"));
            Assert.That(ring.FakeLeg.Hearing, Is.EqualTo("bridge"));
        });
    }

    [Test]
    public async Task An_agent_who_is_not_a_trainee_is_bridged_at_once_and_nobody_hears_the_trainee_greeting()
    {
        using var acd = Engine(AcdHarness.Agent("a1", "1001"));
        acd.Ready("a1");
        var caller = acd.Telephony.Call("13800138000", "12345");
        var ring = await acd.Telephony.NextDialAsync();
        ring.Answer();

        await acd.Telephony.NextBridgeAsync();
        acd.Time.Advance(TraineeGreetingLength * 2);
        Assert.Multiple(() =>
        {
            Assert.That(caller.Hearing, Is.EqualTo("bridge"));
            Assert.That(caller.PlaysSoFar(), Has.None.StartsWith("trainee-greeting"));
            Assert.That(ring.FakeLeg.PlaysSoFar(), Is.Empty);
        });
    }

    [Test]
    public async Task A_hold_during_the_trainee_greeting_is_not_undone_when_the_greeting_ends()
    {
        var agent = AcdHarness.Agent("a1", "1001");
        agent.Trainee = true;
        using var acd = Engine(agent);
        acd.Ready("a1");
        var caller = acd.Telephony.Call("13800138000", "12345");
        var ring = await acd.Telephony.NextDialAsync();
        ring.Answer();
        await caller.PlayedAsync("trainee-greeting-1001");
        var flow = acd.Router.FindByAgent("a1")!;

        Assert.That(flow.Hold("a1", out var error), Is.True, error);
        await caller.PlayedAsync("moh");
        acd.Time.Advance(TimeSpan.FromSeconds(30));
        await caller.PlayedAsync("still-holding");
        acd.Time.Advance(TimeSpan.FromSeconds(1));
        await caller.PlayedAsync("moh");
        Assert.That(caller.Hearing, Is.EqualTo("moh"), "still on hold: the greeting's end did not bridge");

        Assert.That(flow.Resume("a1", out error), Is.True, error);
        await acd.Telephony.NextBridgeAsync();
        Assert.That(caller.Hearing, Is.EqualTo("bridge"));
    }
}
