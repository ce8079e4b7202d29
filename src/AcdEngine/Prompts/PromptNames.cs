namespace Hotline.AcdEngine.Prompts;

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
