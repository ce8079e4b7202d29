using Hotline.Cti.Media;
using Hotline.Cti.Media.Sources;

namespace Hotline.AcdEngine.Tests.Fakes;

/// <summary>A named source of a known length (frames; -1 = endless), so tests see what was played and for how long.</summary>
public sealed class FakeSource(string name, int frames) : IAudioSource
{
    public string Name { get; } = name;
    public int Frames { get; } = frames;

    public bool ReadFrame(Span<short> frame)
    {
        frame.Clear();
        return false;
    }
}

/// <summary>Prompts of fixed lengths: greeting 3 s, menu 2 s, others 1 s; hold music endless.</summary>
public sealed class FakePromptLibrary : IPromptLibrary
{
    public static readonly TimeSpan GreetingLength = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan MenuLength = TimeSpan.FromSeconds(2);

    public IAudioSource Prompt(string name) => name switch
    {
        "greeting" => new FakeSource(name, (int)(GreetingLength.TotalMilliseconds / 20)),
        "menu" => new FakeSource(name, (int)(MenuLength.TotalMilliseconds / 20)),
        _ => new FakeSource(name, 50),
    };

    public IAudioSource HoldMusic() => new FakeSource("moh", -1);

    /// <summary>"position-N", or "position-N-wait-M" with an expected wait of M minutes.</summary>
    public IAudioSource Position(int position, int? expectedWaitMinutes = null) =>
        new FakeSource("position-" + position + (expectedWaitMinutes is { } m ? "-wait-" + m : ""), 50);

    /// <summary>"trainee-greeting-N" (N the agent number), 4 s long.</summary>
    public IAudioSource TraineeGreeting(string agentNumber) => new FakeSource("trainee-greeting-" + agentNumber, 200);
}
