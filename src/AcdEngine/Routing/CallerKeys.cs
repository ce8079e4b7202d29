using System.Threading.Channels;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// The caller's DTMF keys (RFC 4733 / SIP INFO, as the leg reports them), in order, for whichever stage listens: the IVR
/// menu, the callback number, voicemail's <c>#</c>. A key nobody read yet stays queued until a stage clears it.
/// </summary>
internal sealed class CallerKeys(ICallLeg caller, Task callerGone, TimeProvider time)
{
    private readonly Channel<char> _keys = Channel.CreateUnbounded<char>();

    public void Add(char key) => _keys.Writer.TryWrite(key);

    /// <summary>Forgets keys pressed before now (during a greeting or a prompt that does not take keys).</summary>
    public void Clear()
    {
        while (_keys.Reader.TryRead(out _)) { }
    }

    /// <summary>
    /// A key pressed while <paramref name="prompt"/> plays (it is stopped: barge-in) or within
    /// <paramref name="timeout"/> after it; null on timeout or when the caller hung up. An unread key stays queued.
    /// </summary>
    public async Task<char?> NextAsync(Task prompt, TimeSpan timeout, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var key = _keys.Reader.ReadAsync(wait.Token).AsTask();
        await Task.WhenAny(prompt, key, callerGone);
        if (key.IsCompleted && !prompt.IsCompleted) caller.StopAudio();
        if (!key.IsCompleted && !callerGone.IsCompleted)
            await Task.WhenAny(key, callerGone, Task.Delay(timeout, time, wait.Token));
        await wait.CancelAsync();
        try
        {
            return await key;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Completes at the caller's # (other keys are part of a voicemail message: ignored) or when stopped.</summary>
    public async Task UntilHashAsync(CancellationToken stop)
    {
        try
        {
            while (await _keys.Reader.ReadAsync(stop) != '#') { }
        }
        catch (OperationCanceledException)
        {
            // Ended otherwise (hang-up, time limit).
        }
    }
}
