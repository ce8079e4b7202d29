using System.Threading.Channels;

namespace Hotline.TicketApi.WebConsole;

/// <summary>
/// The wallboard's latest live figures and the browsers watching them: the one owner of both.
/// The feed publishes each engine snapshot (or "engine away"); each SSE connection subscribes and gets the
/// latest message at once, then every later one. A slow browser only ever misses intermediate snapshots.
/// </summary>
public sealed class LiveFigures
{
    private readonly Lock _gate = new();
    private readonly List<Channel<string>> _watchers = [];
    private string _latest = LiveMessage.Away(null, "not connected yet");

    /// <summary>The latest message (JSON), for a new watcher.</summary>
    public string Latest
    {
        get { lock (_gate) return _latest; }
    }

    public int WatcherCount
    {
        get { lock (_gate) return _watchers.Count; }
    }

    public void Publish(string message)
    {
        lock (_gate)
        {
            _latest = message;
            foreach (var w in _watchers) w.Writer.TryWrite(message);
        }
    }

    /// <summary>Messages from now on, starting with the latest, until <paramref name="cancellationToken"/>.</summary>
    public async IAsyncEnumerable<string> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Bounded, drop-oldest: a stalled browser never holds memory or the publisher.
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            channel.Writer.TryWrite(_latest);
            _watchers.Add(channel);
        }
        try
        {
            await foreach (var m in channel.Reader.ReadAllAsync(cancellationToken)) yield return m;
        }
        finally
        {
            lock (_gate) _watchers.Remove(channel);
        }
    }
}
