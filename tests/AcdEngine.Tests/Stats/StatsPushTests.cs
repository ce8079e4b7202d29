using System.Threading.Channels;
using Hotline.AcdEngine.Stats;
using Hotline.AcdEngine.Tests.Fakes;

namespace Hotline.AcdEngine.Tests.Stats;

/// <summary>WatchStats pacing in virtual time: pushed on change, bursts coalesced, a heartbeat while quiet (issue 9).</summary>
[TestFixture]
public sealed class StatsPushTests
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);

    private AcdHarness _acd = null!;
    private StatsPush _push = null!;
    private Channel<(TimeSpan At, int Offered)> _pushed = null!;
    private CancellationTokenSource _stop = null!;
    private Task _run = null!;
    private DateTimeOffset _start;

    [SetUp]
    public void StartWatching()
    {
        _acd = new AcdHarness();
        _start = _acd.Time.GetUtcNow();
        _acd.Time.ForgetTimers();
        _push = new StatsPush(_acd.Stats, _acd.Time, MinInterval, Heartbeat);
        _pushed = Channel.CreateUnbounded<(TimeSpan, int)>();
        _stop = new CancellationTokenSource();
        _run = _push.RunAsync((view, _) =>
        {
            _pushed.Writer.TryWrite((_acd.Time.GetUtcNow() - _start, view.Queues.Single(q => q.Queue == "general").OfferedToday));
            return Task.CompletedTask;
        }, _stop.Token);
    }

    [TearDown]
    public async Task StopWatching()
    {
        await _stop.CancelAsync();
        Assert.That(async () => await _run, Throws.InstanceOf<OperationCanceledException>());
        _push.Dispose();
        _stop.Dispose();
        _acd.Dispose();
    }

    private async Task<(TimeSpan At, int Offered)> NextPushAsync() =>
        await _pushed.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    [Test]
    public async Task A_snapshot_goes_out_at_once_then_a_heartbeat_each_second_while_nothing_changes()
    {
        Assert.That(await NextPushAsync(), Is.EqualTo((Ms(0), 0)));
        await _acd.Time.TimerArmedAsync(Heartbeat);
        _acd.Time.Advance(Ms(999));
        Assert.That(_pushed.Reader.TryRead(out _), Is.False, "nothing changed: no push before the heartbeat");
        _acd.Time.Advance(Ms(1));
        Assert.That(await NextPushAsync(), Is.EqualTo((Ms(1000), 0)));
        await _acd.Time.TimerArmedAsync(Heartbeat);
        _acd.Time.Advance(Heartbeat);
        Assert.That(await NextPushAsync(), Is.EqualTo((Ms(2000), 0)));
    }

    [Test]
    public async Task A_change_long_after_the_last_push_is_pushed_at_once()
    {
        await NextPushAsync();
        await _acd.Time.TimerArmedAsync(Heartbeat);
        _acd.Time.Advance(Ms(400));
        _acd.Stats.CountOffered("general");
        Assert.That(await NextPushAsync(), Is.EqualTo((Ms(400), 1)), "no waiting for the next tick");
    }

    [Test]
    public async Task A_burst_of_changes_becomes_one_push_no_sooner_than_the_minimum_interval()
    {
        await NextPushAsync();
        await _acd.Time.TimerArmedAsync(Heartbeat);
        _acd.Time.Advance(Ms(10));
        _acd.Stats.CountOffered("general");
        await _acd.Time.TimerArmedAsync(Ms(140));   // waits out the rest of the 150 ms since the last push
        _acd.Stats.CountOffered("general");
        _acd.Time.Advance(Ms(20));
        _acd.Stats.CountOffered("general");
        _acd.Time.Advance(Ms(119));
        Assert.That(_pushed.Reader.TryRead(out _), Is.False, "still inside the minimum interval");
        _acd.Time.Advance(Ms(1));
        Assert.That(await NextPushAsync(), Is.EqualTo((Ms(150), 3)), "three changes, one push with all of them");
        // Nothing else changed: the next push is the heartbeat, one second after that push.
        await _acd.Time.TimerArmedAsync(Heartbeat);
        _acd.Time.Advance(Heartbeat);
        Assert.That(await NextPushAsync(), Is.EqualTo((Ms(1150), 3)));
    }

    [Test]
    public async Task An_agent_changing_state_is_a_change()
    {
        await NextPushAsync();
        await _acd.Time.TimerArmedAsync(Heartbeat);
        _acd.Time.Advance(Ms(300));
        _acd.Roster.SignIn(_acd.Agents[0].Id, ready: true);
        Assert.That((await NextPushAsync()).At, Is.EqualTo(Ms(300)));
    }
}
