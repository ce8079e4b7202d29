using Hotline.Cti.Media;

namespace Hotline.AcdEngine.Prompts;

/// <summary>What the ACD plays to callers. Replaceable: the media core's WAV player can stand behind it.</summary>
public interface IPromptLibrary
{
    /// <summary>A named prompt (file name without .wav); silence of length zero when it does not exist.</summary>
    IAudioSource Prompt(string name);

    /// <summary>Hold music: the playlist of the music-on-hold folder, looped without end.</summary>
    IAudioSource HoldMusic();

    /// <summary>
    /// "You are number <paramref name="position"/> in the queue.", then, when known, "The expected waiting time is
    /// about <paramref name="expectedWaitMinutes"/> minutes." (0 = "less than one minute").
    /// </summary>
    IAudioSource Position(int position, int? expectedWaitMinutes = null);

    /// <summary>
    /// The trainee greeting: "Hello, citizen hotline, trainee agent number", the <paramref name="agentNumber"/> digit by
    /// digit, "at your service." (DOMAIN.md "The call"; prompts greeting-trainee, digit-N, greeting-trainee-end).
    /// </summary>
    IAudioSource TraineeGreeting(string agentNumber);

    /// <summary>
    /// Forgets prompts read so far, so that the next call plays the files as they are now (a configuration reload,
    /// issue 20); a prompt already playing finishes as it was. Nothing to do for a library that reads on every play.
    /// </summary>
    void ForgetLoaded() { }
}

/// <summary>Prompt names the flow uses (files <c>sounds/&lt;lang&gt;/&lt;name&gt;.wav</c>).</summary>
public static class PromptNames
{
    public const string QueuePosition = "you-are-number";
    public const string InQueue = "in-queue";
    public const string CallbackEnterNumber = "callback-enter-number";
    public const string CallbackThanks = "callback-thanks";
    public const string Closed = "closed";
    public const string AllBusy = "all-busy";
    public const string StillHolding = "still-holding";
    public const string FeatureOk = "feature-ok";
    public const string FeatureFailed = "feature-failed";
    public const string Goodbye = "goodbye";
    public const string ExpectedWait = "expected-wait";
    public const string ExpectedWaitShort = "expected-wait-short";
    public const string Minute = "minute";
    public const string Minutes = "minutes";
    public const string SilentCaller = "silent-caller";
    public const string TraineeGreeting = "greeting-trainee";
    public const string TraineeGreetingEnd = "greeting-trainee-end";
}
