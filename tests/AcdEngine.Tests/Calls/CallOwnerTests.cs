using System.Collections.Concurrent;
using Hotline.AcdEngine.Calls;

namespace Hotline.AcdEngine.Tests.Calls;

/// <summary>The per-call owner alone (issue 16): one command at a time, in order; errors go back; no self-deadlock; closed after the call.</summary>
[TestFixture]
public sealed class CallOwnerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private ConcurrentQueue<Exception> _failures = null!;
    private CallOwner _owner = null!;

    [SetUp]
    public void SetUp()
    {
        _failures = new ConcurrentQueue<Exception>();
        _owner = new CallOwner("c-test", _failures.Enqueue);
    }

    [Test]
    public async Task Posted_commands_run_in_order_one_at_a_time()
    {
        var seen = new List<int>();
        var running = 0;
        var overlapped = false;
        for (var i = 0; i < 1000; i++)
        {
            var n = i;
            Assert.That(_owner.Post(() =>
            {
                if (Interlocked.Increment(ref running) != 1) overlapped = true;
                seen.Add(n); // Not thread-safe on purpose: the owner is the only writer.
                Interlocked.Decrement(ref running);
            }), Is.True);
        }
        await _owner.RunAsync(() => { }).WaitAsync(Patience);
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 1000)));
        Assert.That(overlapped, Is.False);
    }

    [Test]
    public async Task Commands_from_many_threads_never_overlap_and_none_is_lost()
    {
        var count = 0; // Plain increments: only correct when commands never overlap.
        var running = 0;
        var overlapped = false;
        void Step()
        {
            if (Interlocked.Increment(ref running) != 1) overlapped = true;
            count++;
            Interlocked.Decrement(ref running);
        }
        var senders = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                switch ((t + i) % 3)
                {
                    case 0: _owner.Post(Step); break;
                    case 1: _owner.Run(Step); break;
                    default: await _owner.RunAsync(Step); break;
                }
            }
        }));
        await Task.WhenAll(senders).WaitAsync(Patience);
        Assert.That(await _owner.RunAsync(() => count).WaitAsync(Patience), Is.EqualTo(8 * 500));
        Assert.That(overlapped, Is.False);
    }

    [Test]
    public async Task Answers_and_exceptions_go_back_to_the_caller()
    {
        Assert.That(_owner.Run(() => 42), Is.EqualTo(42));
        Assert.That(await _owner.RunAsync(() => "ok"), Is.EqualTo("ok"));
        Assert.Throws<FormatException>(() => _owner.Run(() => throw new FormatException("sync")));
        Assert.ThrowsAsync<FormatException>(() => _owner.RunAsync(() => throw new FormatException("async")));
        // The loop goes on after a failed command.
        Assert.That(_owner.Run(() => 7), Is.EqualTo(7));
    }

    [Test]
    public async Task A_posted_command_that_throws_is_reported_and_the_next_one_still_runs()
    {
        _owner.Post(() => throw new FormatException("posted"));
        var after = await _owner.RunAsync(() => "after").WaitAsync(Patience);
        Assert.That(after, Is.EqualTo("after"));
        Assert.That(_failures.Select(f => f.Message), Is.EqualTo(new[] { "posted" }));
    }

    [Test]
    public async Task A_command_that_runs_posts_or_awaits_another_on_its_own_owner_does_not_deadlock()
    {
        var order = new List<string>();
        var inner = await _owner.RunAsync(() =>
        {
            Assert.That(_owner.IsCurrent, Is.True);
            order.Add("outer");
            _owner.Post(() => order.Add("posted")); // Queued: after this command.
            order.Add(_owner.Run(() => "run-inline")); // Already the owner: at once.
            order.Add(_owner.RunAsync(() => "async-inline").Result); // Blocking here would never end if it queued.
            return "done";
        }).WaitAsync(Patience);
        await _owner.RunAsync(() => { }).WaitAsync(Patience);
        Assert.That(inner, Is.EqualTo("done"));
        Assert.That(order, Is.EqualTo(new[] { "outer", "run-inline", "async-inline", "posted" }));
        Assert.That(_owner.IsCurrent, Is.False);
    }

    [Test]
    public async Task A_synchronous_caller_waits_for_the_command_already_running_then_gets_its_turn()
    {
        var firstRunning = new ManualResetEventSlim();
        var releaseFirst = new ManualResetEventSlim();
        var order = new ConcurrentQueue<string>();
        _owner.Post(() =>
        {
            firstRunning.Set();
            releaseFirst.Wait(Patience);
            order.Enqueue("first");
        });
        Assert.That(firstRunning.Wait(Patience), Is.True);
        var second = Task.Run(() => _owner.Run(() =>
        {
            order.Enqueue("second");
            return 2;
        }));
        Assert.That(second.Wait(TimeSpan.FromMilliseconds(50)), Is.False, "the owner is busy: the second command waits");
        releaseFirst.Set();
        Assert.That(await second.WaitAsync(Patience), Is.EqualTo(2));
        Assert.That(order, Is.EqualTo(new[] { "first", "second" }));
    }

    [Test]
    public async Task A_synchronous_callers_command_runs_on_its_own_thread_and_a_posted_one_never_does()
    {
        var firstRunning = new ManualResetEventSlim();
        var releaseFirst = new ManualResetEventSlim();
        _owner.Post(() =>
        {
            firstRunning.Set();
            releaseFirst.Wait(Patience);
        });
        Assert.That(firstRunning.Wait(Patience), Is.True);
        var callerThread = 0;
        var queuedRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var syncCaller = Task.Factory.StartNew(() =>
        {
            callerThread = Environment.CurrentManagedThreadId;
            queuedRun.SetResult();
            return _owner.Run(() => Environment.CurrentManagedThreadId);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await queuedRun.Task.WaitAsync(Patience);
        // The Run caller is queued (or about to be) behind the first command; this one is posted after it.
        var postedThread = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        SpinWait.SpinUntil(() => syncCaller.Status == TaskStatus.Running, Patience);
        releaseFirst.Set();
        var ranOn = await syncCaller.WaitAsync(Patience);
        _owner.Post(() => postedThread.SetResult(Environment.CurrentManagedThreadId));
        Assert.That(ranOn, Is.EqualTo(callerThread), "a Run command runs on its caller's thread");
        Assert.That(await postedThread.Task.WaitAsync(Patience), Is.Not.EqualTo(callerThread));
    }

    [Test]
    public void After_close_new_commands_are_refused_and_those_accepted_before_still_run()
    {
        var gate = new ManualResetEventSlim();
        var ran = new ConcurrentQueue<string>();
        _owner.Post(() => gate.Wait(Patience));
        var acceptedRan = new ManualResetEventSlim();
        _owner.Post(() =>
        {
            ran.Enqueue("accepted");
            acceptedRan.Set();
        });
        _owner.Close();
        gate.Set();
        Assert.That(_owner.IsClosed, Is.True);
        Assert.That(_owner.Post(() => ran.Enqueue("late")), Is.False);
        var ex = Assert.Throws<CallEndedException>(() => _owner.Run(() => 1));
        Assert.That(ex!.CallId, Is.EqualTo("c-test"));
        Assert.That(ex.Message, Does.Contain("c-test").And.Contain("ended"));
        Assert.ThrowsAsync<CallEndedException>(() => _owner.RunAsync(() => 1));
        Assert.That(_owner.TryRun(() => ran.Enqueue("late")), Is.False);
        Assert.That(_owner.TryRun(() => 1, ended: -1), Is.EqualTo(-1));
        Assert.That(acceptedRan.Wait(Patience), Is.True);
        Assert.That(ran, Is.EqualTo(new[] { "accepted" }));
    }
}
