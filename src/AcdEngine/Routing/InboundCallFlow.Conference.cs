using Hotline.AcdEngine.Calls;
using Hotline.AcdEngine.Conference;
using Hotline.Contracts.V1;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// The conference stages this flow hands its call to (Conference/: <see cref="ConsultStage"/>, <see cref="TransferStage"/>,
/// <see cref="MonitorStage"/>, and at the talk's end <see cref="DepartmentStaysStage"/>), all through the call's
/// <see cref="CallParties"/>.
/// </summary>
public sealed partial class InboundCallFlow
{
    /// <summary>A call event the agent's desktop should see (consult started/joined/failed): agent id and event.</summary>
    public event Action<string, CallEvent>? AgentNotice
    {
        add => _parties.AgentNotice += value;
        remove => _parties.AgentNotice -= value;
    }

    /// <summary>CTI ConsultDepartment (<see cref="ConsultStage"/>): starts ringing the department; the outcome arrives as events.</summary>
    public bool ConsultDepartment(string agentId, string departmentId, bool holdCaller, out string error) =>
        _consult.Start(agentId, departmentId, holdCaller, out error);

    /// <summary>CTI CompleteTransfer: the agent leaves; caller and department stay connected.</summary>
    public async Task<ControlOutcome> CompleteTransferAsync(string agentId, CancellationToken ct) =>
        await _consult.CompleteTransferAsync(agentId, ct);

    /// <summary>
    /// The agent's phone, once answered: <c>*8</c>+code+<c>#</c> consults a department (<see cref="ConsultStage"/>),
    /// REFER transfers (<see cref="TransferStage"/>), hold/resume from its re-INVITE (<see cref="TalkStage"/>).
    /// </summary>
    private void WatchAgentPhone(string agentId, ICallLeg leg)
    {
        // Every event from the phone is a command on the call's owner, in the order the phone sent them.
        leg.Dtmf += (_, e) => _owner.TryRun(() => _consult.OnAgentKey(agentId, leg, e.Digit));
        var transfer = NewTransferStage();
        leg.TransferRequested += (_, e) => transfer.OnTransferRequested(leg, e); // SIP REFER from the phone.
        leg.RemoteHold += (sender, e) =>
        {
            // RFC 3264 §8.4: the phone's sendonly re-INVITE is a hold; sendrecv again a resume.
            if (e.OnHold) Hold(agentId, out _);
            else Resume(agentId, out _);
        };
    }

    /// <summary>CTI Monitor (<see cref="MonitorStage"/>): rings the supervisor's phone; they join on answer.</summary>
    public bool Monitor(string supervisorUser, MonitorMode mode, out string error) =>
        new MonitorStage(_parties, _ctx.Options.HotlineNumber, TimeSpan.FromSeconds(_ctx.Departments?.Options.RingTimeoutSeconds ?? 20), _ctx.Logger)
            .Start(supervisorUser, mode, out error);

    /// <summary>The agent's phone asks for a transfer (SIP REFER): the <see cref="TransferStage"/> of this call.</summary>
    private TransferStage NewTransferStage() =>
        new(_parties, _ctx.Roster, _ctx.Departments, _ctx.DialPlan, _ctx.Options.RingTimeoutSeconds, _ctx.Options.HotlineNumber, _ctx.Logger);
}
