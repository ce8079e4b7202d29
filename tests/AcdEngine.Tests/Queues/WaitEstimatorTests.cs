using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.AcdEngine.Tests.Queues;

/// <summary>The expected-wait estimate (position × recent average handle time ÷ agents staffed), in virtual time.</summary>
[TestFixture]
public sealed class WaitEstimatorTests
{
    [Test]
    public void Unknown_until_a_call_was_handled_and_while_nobody_is_staffed()
    {
        var estimates = new WaitEstimator(new FakeTimeProvider());
        Assert.That(estimates.Estimate("general", 1, 2), Is.Null, "no handled call yet");
        estimates.RecordHandled("general", TimeSpan.FromMinutes(3));
        Assert.Multiple(() =>
        {
            Assert.That(estimates.Estimate("general", 1, 0), Is.Null, "nobody staffed");
            Assert.That(estimates.Estimate("other", 1, 2), Is.Null, "per queue");
            Assert.That(estimates.Estimate("general", 0, 2), Is.Null, "not queued");
        });
    }

    [Test]
    public void Position_times_average_handle_over_staffed_agents()
    {
        var estimates = new WaitEstimator(new FakeTimeProvider());
        estimates.RecordHandled("general", TimeSpan.FromSeconds(100));
        estimates.RecordHandled("general", TimeSpan.FromSeconds(200));
        Assert.Multiple(() =>
        {
            Assert.That(estimates.AverageHandle("general"), Is.EqualTo(TimeSpan.FromSeconds(150)));
            Assert.That(estimates.Estimate("general", 4, 2), Is.EqualTo(TimeSpan.FromSeconds(300)));
            Assert.That(estimates.Estimate("general", 1, 3), Is.EqualTo(TimeSpan.FromSeconds(50)));
        });
    }

    [Test]
    public void Only_the_last_calls_within_the_hour_count()
    {
        var time = new FakeTimeProvider();
        var estimates = new WaitEstimator(time);
        estimates.RecordHandled("general", TimeSpan.FromMinutes(30)); // An old, very long call.
        time.Advance(TimeSpan.FromMinutes(50));
        for (var i = 0; i < WaitEstimator.Samples; i++) estimates.RecordHandled("general", TimeSpan.FromMinutes(2));
        Assert.That(estimates.AverageHandle("general"), Is.EqualTo(TimeSpan.FromMinutes(2)), "only the last 20 calls");

        var fresh = new WaitEstimator(time);
        fresh.RecordHandled("general", TimeSpan.FromMinutes(4));
        time.Advance(TimeSpan.FromMinutes(30));
        fresh.RecordHandled("general", TimeSpan.FromMinutes(2));
        Assert.That(fresh.AverageHandle("general"), Is.EqualTo(TimeSpan.FromMinutes(3)));
        time.Advance(TimeSpan.FromMinutes(31));
        Assert.That(fresh.AverageHandle("general"), Is.EqualTo(TimeSpan.FromMinutes(2)), "the first is over an hour old");
        time.Advance(TimeSpan.FromMinutes(30));
        Assert.That(fresh.AverageHandle("general"), Is.Null, "nothing recent: unknown again");
    }

    [TestCase(0, 0)]
    [TestCase(59, 0)]
    [TestCase(60, 1)]
    [TestCase(89, 1)]
    [TestCase(90, 2)]
    [TestCase(600, 10)]
    [TestCase(100_000, 99)]
    public void Minutes_said_are_rounded_and_under_a_minute_is_short(int seconds, int minutes) =>
        Assert.That(WaitEstimator.MinutesToSay(TimeSpan.FromSeconds(seconds)), Is.EqualTo(minutes));

    [Test]
    public async Task A_waiting_caller_hears_the_expected_wait_from_the_queues_last_handled_call()
    {
        var o = AcdHarness.DefaultOptions();
        o.AnnounceEverySeconds = 30;
        o.Greeting = "";
        using var acd = new AcdHarness(o, AcdHarness.Agent("a1", "1001"));
        acd.Ready("a1");

        // Call 1: 110 s talk + 10 s wrap-up = a 2-minute handle time.
        var finished = acd.WaitForCallFinishedAsync();
        var first = acd.Telephony.Call("13800000001", "12345");
        var ring = await acd.Telephony.NextDialAsync();
        ring.Answer();
        await acd.Telephony.NextBridgeAsync();
        acd.Time.Advance(TimeSpan.FromSeconds(110));
        var wrapUp = acd.WaitForAgentAsync("a1", AgentState.WrapUp);
        first.RemoteHangup();
        await wrapUp;
        await acd.Time.TimerArmedAsync(TimeSpan.FromSeconds(10));
        acd.Time.Advance(TimeSpan.FromSeconds(10));
        await finished;

        // Call 2 talks with the only agent; call 3 waits first in line: 1 × 120 s ÷ 1 staffed = about 2 minutes.
        var second = acd.Telephony.Call("13800000002", "12345");
        (await acd.Telephony.NextDialAsync()).Answer();
        await acd.Telephony.NextBridgeAsync();
        acd.Time.ForgetTimers();
        var third = acd.Telephony.Call("13800000003", "12345");
        await third.PlayedAsync("moh");
        await acd.Time.TimerArmedAsync(TimeSpan.FromSeconds(30));
        acd.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await third.NextPlayAsync()).Name, Is.EqualTo("position-1-wait-2"));
        Assert.That(second.State, Is.EqualTo(Cti.Calls.CallLegState.Connected));
    }
}
