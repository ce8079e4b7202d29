using System.Reflection;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Prompts;
using Hotline.Cti.Media.Sources;
using Hotline.TestSupport;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Tests.Prompts;

/// <summary>Every prompt the call flow asks for ships in every language, as playable 8 kHz audio that is not silence.</summary>
[TestFixture]
public sealed class ShippedPromptsTests
{
    private static IEnumerable<string> NamesTheFlowUses()
    {
        var acd = new AcdOptions();
        yield return acd.Greeting;
        yield return acd.Voicemail.Prompt;
        yield return acd.Voicemail.Beep;
        yield return acd.Voicemail.ThanksPrompt;
        yield return acd.Ivr.Prompt;
        foreach (var field in typeof(PromptNames).GetFields(BindingFlags.Public | BindingFlags.Static))
            yield return (string)field.GetValue(null)!;
        for (var d = 0; d <= 9; d++) yield return "digit-" + d;
    }

    [TestCase("en")]
    [TestCase("zh")]
    public void Every_prompt_the_flow_uses_is_shipped_and_audible(string language)
    {
        var folder = Path.Combine(RepoPaths.Root, "sounds", language);
        Assert.Multiple(() =>
        {
            foreach (var name in NamesTheFlowUses().Distinct())
            {
                var path = Path.Combine(folder, name + ".wav");
                Assert.That(File.Exists(path), Is.True, $"{language}: {name}.wav is missing (tools/prompts/generate.sh)");
                if (!File.Exists(path)) continue;
                var samples = WavClip.Load(path).Samples.Span;
                var peak = 0;
                foreach (var s in samples) peak = Math.Max(peak, Math.Abs((int)s));
                Assert.That(peak, Is.GreaterThan(3000), $"{language}: {name}.wav is (nearly) silent");
            }
        });
    }

    [Test]
    public void Hold_music_ships()
    {
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Root, "sounds", "moh"), "*.wav");
        Assert.That(files, Is.Not.Empty);
        Assert.That(files.Sum(f => WavClip.Load(f).Duration.TotalSeconds), Is.GreaterThan(30));
    }
}
