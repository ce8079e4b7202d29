using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Tests.Routing;

/// <summary>The IVR stage alone (no flow): barge-in choice, retries then no choice, keys from the greeting ignored.</summary>
[TestFixture]
public sealed class IvrStageTests
{
    [Test]
    public async Task A_configured_key_stops_the_menu_and_is_the_choice()
    {
        using var acd = Menu();
        var (caller, keys, stage, _) = Start(acd);
        keys.Add('1'); // Pressed during the greeting: does not count.

        var run = stage.RunAsync(CancellationToken.None);
        Assert.That((await caller.NextPlayAsync()).Name, Is.EqualTo("menu"));
        keys.Add('2');

        var outcome = await run;
        Assert.That((outcome.CallerLeft, outcome.Digits, outcome.Choice?.Queue, outcome.Choice?.Nature), Is.EqualTo((false, "2", "general", "complaint")));
        Assert.That(caller.Hearing, Is.EqualTo("silence"), "barge-in stopped the menu");
    }

    [Test]
    public async Task Nothing_valid_after_the_retries_is_no_choice()
    {
        using var acd = Menu();
        var (caller, keys, stage, _) = Start(acd);
        var run = stage.RunAsync(CancellationToken.None);
        for (var attempt = 0; attempt <= acd.Options.Ivr.Retries; attempt++)
        {
            Assert.That((await caller.NextPlayAsync()).Name, Is.EqualTo("menu"), $"menu, try {attempt + 1}");
            keys.Add('9'); // Not on the menu.
            acd.Time.Advance(FakePromptLibrary.MenuLength + TimeSpan.FromSeconds(acd.Options.Ivr.TimeoutSeconds));
        }
        Assert.That(await run, Is.EqualTo(IvrOutcome.NoChoice));
    }

    [Test]
    public async Task The_caller_hanging_up_during_the_menu_ends_it()
    {
        using var acd = Menu();
        var (caller, _, stage, gone) = Start(acd);
        var run = stage.RunAsync(CancellationToken.None);
        await caller.NextPlayAsync();
        gone.TrySetResult();
        Assert.That(await run, Is.EqualTo(IvrOutcome.Hungup));
    }

    private static AcdHarness Menu()
    {
        var options = AcdHarness.DefaultOptions();
        options.Ivr.Options["1"] = new IvrChoiceOptions { Queue = "general", Nature = "consultation" };
        options.Ivr.Options["2"] = new IvrChoiceOptions { Queue = "general", Nature = "complaint" };
        return new AcdHarness(new AcdSetup { Acd = options });
    }

    private static (FakeCallLeg, CallerKeys, IvrStage, TaskCompletionSource) Start(AcdHarness acd)
    {
        var caller = new FakeCallLeg("13800138000", "12345", CallLegDirection.Inbound, acd.Time);
        caller.AnswerAsync(CancellationToken.None).GetAwaiter().GetResult();
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var keys = new CallerKeys(caller, gone.Task, acd.Time);
        return (caller, keys, new IvrStage(acd.Context, caller, keys, gone.Task), gone);
    }
}
