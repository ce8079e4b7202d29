namespace Hotline.Cti.Media;

/// <summary>
/// What a session hears right now: one source plus what to do when it is replaced or ends
/// (complete a Play task, leave a mixer). Immutable; swapped atomically by the session.
/// </summary>
internal sealed class AudioFeed(IAudioSource source, TaskCompletionSource? completion = null, Action? detach = null)
{
    public IAudioSource Source { get; } = source;

    /// <summary>Completes the play task and detaches; idempotent.</summary>
    public void Finish()
    {
        completion?.TrySetResult();
        detach?.Invoke();
    }
}

/// <summary>Hears another session's inbound audio (one direction of a bridge), or its own (echo).</summary>
internal sealed class SessionAudioSource(MediaSession listener, MediaSession speaker) : IAudioSource
{
    public MediaSession Speaker { get; } = speaker;

    public bool ReadFrame(Span<short> frame)
    {
        Speaker.ReadInbound(listener.CurrentTick).CopyTo(frame);
        return true;
    }
}
