using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Dialing;
using Hotline.AcdEngine.Outbound;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Survey;
using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Tests.Fakes;

/// <summary>
/// What an <see cref="AcdHarness"/> is built with. Every part is optional: the default is the ACD alone (queue
/// "general", agents a1/1001 and a2/1002) over <see cref="FakeTelephony"/>.
/// </summary>
public sealed record AcdSetup
{
    public AcdOptions? Acd { get; init; }

    /// <summary>The agents (default a1/1001 and a2/1002 in "general").</summary>
    public IReadOnlyList<AgentOptions>? Agents { get; init; }

    /// <summary>Agent leases shared with other engines (null = this engine alone).</summary>
    public IAgentLeases? Leases { get; init; }

    /// <summary>
    /// The department "water" (code 1, contacts 2001 and 2002, <see cref="AcdHarness.DepartmentRingTimeout"/>, two
    /// attempts) with these hours ("" = always open); null = no departments.
    /// </summary>
    public string? DepartmentHours { get; init; }

    /// <summary>Call recording into this folder (<c>Recording:Enabled</c>); null = none.</summary>
    public string? RecordingsRoot { get; init; }

    /// <summary>
    /// The dial plan: with <see cref="AfterCall"/> the outbound dialer's options (default: gateway
    /// <see cref="AcdHarness.Gateway"/>), otherwise the numbers a blind transfer may reach (null = none).
    /// </summary>
    public OutboundOptions? Outbound { get; init; }

    /// <summary>The after-call loop: the post-call survey (<see cref="Survey"/>, default on) and the outbound dialer.</summary>
    public bool AfterCall { get; init; }

    public SurveyOptions? Survey { get; init; }

    /// <summary>A telephony of the test's own instead of the fakes (e.g. one that fails every dial).</summary>
    public ITelephony? Telephony { get; init; }

    /// <summary>The ACD with the department "water" open at <paramref name="hours"/> ("" = always).</summary>
    public static AcdSetup WithDepartment(string hours = "", string? recordingsRoot = null, OutboundOptions? outbound = null) =>
        new() { DepartmentHours = hours, RecordingsRoot = recordingsRoot, Outbound = outbound };

    /// <summary>The ACD with the post-call survey and the outbound dialer.</summary>
    public static AcdSetup WithAfterCall(SurveyOptions? survey = null, OutboundOptions? outbound = null, ITelephony? telephony = null,
        string? recordingsRoot = null) =>
        new() { AfterCall = true, Survey = survey, Outbound = outbound, Telephony = telephony, RecordingsRoot = recordingsRoot };
}
