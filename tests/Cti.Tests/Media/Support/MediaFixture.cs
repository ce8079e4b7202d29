using Hotline.Cti.Media;
using Hotline.Cti.Media.Clock;
using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Tests.Calls;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Cti.Tests.Media.Support;

/// <summary>A media engine on free loopback ports with a stopped clock that the test ticks, in virtual time.</summary>
internal sealed class MediaFixture : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public MediaFixture(int inactivitySeconds = 30)
    {
        // 12 pairs, even first port: twice what any test here takes, so a port another process (or an RtpPeer's
        // ephemeral bind) grabs inside the block costs a pair, not the test (run 66: an odd first port left 5 pairs for
        // a test of 5 sessions, and one was taken).
        Options = FreeRtp.Options(ports: 24, inactivityTimeoutSeconds: inactivitySeconds);
        Clock = new MediaClock(Time, NullLogger<MediaClock>.Instance);
        Engine = new MediaEngine(Options, Time, NullLoggerFactory.Instance, Clock);
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-01-05T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    public RtpOptions Options { get; }
    public MediaClock Clock { get; }
    public MediaEngine Engine { get; }

    /// <summary>A started session answering <paramref name="peer"/>'s offer.</summary>
    public MediaSession Answered(RtpPeer peer, string direction = "sendrecv", string formats = "0 101")
    {
        var session = Engine.CreateSession();
        _owned.Add(session);
        var answer = Engine.CreateSdp(session).Answer(peer.Offer(direction, formats));
        Assert.That(answer.IsAccepted, Is.True, answer.RejectReason);
        session.Apply(answer.Media!);
        session.Start();
        return session;
    }

    /// <summary>Advances virtual time by one frame and runs one clock tick.</summary>
    public void Tick(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(AudioFormat.FrameMilliseconds));
            Clock.TickOnce();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var o in _owned) await o.DisposeAsync();
        await Engine.DisposeAsync();
    }
}
