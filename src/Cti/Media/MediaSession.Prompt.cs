using System.Runtime.CompilerServices;

namespace Hotline.Cti.Media;

/// <summary>
/// A prompt played to this leg beside what it hears: added to the leg's frame after its feed (a bridge, a mixer, a
/// clip) was read, so the feed stays. A conference member told "the department could not be reached" keeps hearing
/// the others and keeps being heard — <see cref="PlayAsync"/> would replace its mixer feed and take it out of the mix.
/// </summary>
public sealed partial class MediaSession
{
    private readonly short[] _promptFrame = new short[AudioFormat.SamplesPerFrame];
    private AudioFeed? _prompt;

    /// <summary>True while a prompt plays beside the feed.</summary>
    internal bool HasPrompt => Volatile.Read(ref _prompt) is not null;

    /// <summary>
    /// Plays <paramref name="source"/> to the peer on top of what it hears now (bridge, mixer or clip stay; the peer
    /// is still heard by the others). A second prompt replaces the first (which completes). Completes when the
    /// source ends, is replaced, the token is cancelled or the session ends; never faults for that.
    /// </summary>
    public Task PlayBesideAsync(IAudioSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var prompt = new AudioFeed(source, done);
        Interlocked.Exchange(ref _prompt, prompt)?.Finish();
        if (_disposed != 0) StopPromptIfCurrent(prompt);
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => StopPromptIfCurrent(prompt));
            done.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return done.Task;
    }

    /// <summary>Adds the prompt's frame (if any) to <see cref="_outFrame"/>, saturated; ends it when its source ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddPrompt(AudioFeed prompt)
    {
        if (!prompt.Source.ReadFrame(_promptFrame))
        {
            StopPromptIfCurrent(prompt); // continuations run off the clock thread (RunContinuationsAsynchronously)
            return;
        }
        for (var i = 0; i < _outFrame.Length; i++)
            _outFrame[i] = (short)Math.Clamp(_outFrame[i] + _promptFrame[i], short.MinValue, short.MaxValue);
    }

    private void StopPromptIfCurrent(AudioFeed prompt)
    {
        if (Interlocked.CompareExchange(ref _prompt, null, prompt) == prompt) prompt.Finish();
    }
}
