using Hotline.Cti.Media.Sources;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Stats;
using Hotline.Cti.Calls;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Dialing;
using Hotline.AcdEngine.Calls;
using Hotline.Contracts.V1;

namespace Hotline.AcdEngine.Routing;

/// <summary>What every call's flow works with: the owners of agents, queues and figures, the phone system, prompts.</summary>
public sealed record CallFlowContext(
    ITelephony Telephony,
    AgentRoster Roster,
    CallQueues Queues,
    LiveStats Stats,
    IPromptLibrary Prompts,
    IEventSink Events,
    TimeProvider Time,
    AcdOptions Options,
    string NodeId,
    BusinessHours Hours,
    ILogger Logger,
    Conference.DepartmentDirectory? Departments = null,
    Recording.CallRecordings? Recordings = null)
{
    /// <summary>The post-call survey (<c>Survey:*</c>); null = none (callers are hung up with the agent).</summary>
    public Survey.PostCallSurvey? Survey { get; init; }

    /// <summary>Which external numbers a blind transfer (SIP REFER from an agent's phone) may reach; null = none.</summary>
    public DialPlan? DialPlan { get; init; }
    /// <summary>Where voicemail overflow records messages; null = no voicemail (the caller hears the apology instead).</summary>
    public VoicemailBox? Voicemail { get; init; }

    /// <summary>A new call's id, stage, events, timeline, recording and survey (<see cref="CallSession"/>).</summary>
    public CallSession NewSession(CallDirection direction) => new(direction, NodeId, Time, Events, Logger, Recordings, Survey);
}

/// <summary>Caller numbers in logs at Information level (STYLE.md): last four digits only.</summary>
public static class CallerNumber
{
    public static string Mask(string number) =>
        number.Length <= 4 ? new string('*', number.Length) : new string('*', number.Length - 4) + number[^4..];
}
