using Hotline.AcdEngine.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// Silent caller (DOMAIN.md "The call": the caller says nothing once connected): the agent ends the call with the
/// standard closing, played by the talk stage (<see cref="TalkStage.EndSilentCallAsync"/>). The agent triggers it from
/// the phone (<c>Acd:FeatureCodes:SilentCaller</c>, default <c>*99</c>, watched by <see cref="SilentCallerWatch"/>) or
/// from the desktop through <see cref="SilentCallerAsync"/>.
/// </summary>
public sealed partial class InboundCallFlow
{
    /// <summary>Plays the silent-caller closing to the caller, then ends the call; false (and why) when not the agent's call.</summary>
    public async Task<(bool Ok, string Error)> SilentCallerAsync(string agentId, CancellationToken ct)
    {
        var talk = _owner.TryRun(() => _parties.Three.AgentLeft ? null : TalkWith(agentId), ended: null);
        if (talk is null) return (false, TalkStage.NotTalking);
        return await talk.EndSilentCallAsync(ct);
    }
}
