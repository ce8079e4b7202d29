using Hotline.Cti.Calls;
using Hotline.Cti.Media;

namespace Hotline.AcdEngine.Routing;

/// <summary>A prompt to the caller that ends early when the caller hangs up (the greeting, overflow, voicemail).</summary>
internal static class CallerPlayback
{
    /// <summary>Plays a finite source to the caller; false when the caller hung up before or meanwhile.</summary>
    public static async Task<bool> PlayUnlessGoneAsync(this ICallLeg caller, IAudioSource source, Task callerGone, CancellationToken ct)
    {
        if (callerGone.IsCompleted) return false;
        await Task.WhenAny(caller.PlayAsync(source, ct), callerGone);
        return !callerGone.IsCompleted;
    }
}
