using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.AcdEngine.Tests.Fakes;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports each timer created, so a test can advance virtual time only once
/// the code under test has armed the deadline it means to pass (no race between Advance and a timer's creation).
/// </summary>
public sealed class ObservableTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Completes when a timer due after <paramref name="dueTime"/> has been created (skipping others).</summary>
    public async Task TimerArmedAsync(TimeSpan dueTime)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await _created.Reader.ReadAsync(cts.Token) != dueTime) { }
    }

    /// <summary>Forgets the timers created so far.</summary>
    public void ForgetTimers()
    {
        while (_created.Reader.TryRead(out _)) { }
    }
}
