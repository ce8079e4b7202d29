using Hotline.AcdEngine.Conference;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Routing;

/// <summary>The conference stages this flow hands its call to (Conference/), through the call's <see cref="CallParties"/>.</summary>
public sealed partial class InboundCallFlow
{
    /// <summary>CTI Monitor (<see cref="MonitorStage"/>): rings the supervisor's phone; they join on answer.</summary>
    public bool Monitor(string supervisorUser, MonitorMode mode, out string error) =>
        new MonitorStage(_parties, _ctx.Options.HotlineNumber, TimeSpan.FromSeconds(_ctx.Departments?.Options.RingTimeoutSeconds ?? 20), _ctx.Logger)
            .Start(supervisorUser, mode, out error);
}
