using System.ComponentModel.DataAnnotations;
using Hotline.AcdEngine.Queues;

namespace Hotline.AcdEngine.Hosting;

/// <summary>The engine node (<c>Node:*</c>).</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>This engine's id, carried on every event; unique among engines sharing Redis.</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Node:Id must be 1-64 letters, digits, '.', '_' or '-'.")]
    public string Id { get; set; } = Environment.MachineName;
}

/// <summary>The ACD (<c>Acd:*</c>).</summary>
public sealed class AcdOptions
{
    public const string Section = "Acd";

    /// <summary>The number callers dial (<c>Acd:HotlineNumber</c>).</summary>
    [Required, RegularExpression("^[0-9*#+]{1,32}$", ErrorMessage = "Acd:HotlineNumber must be 1-32 dial digits (0-9, *, #, +).")]
    public string HotlineNumber { get; set; } = "12345";

    /// <summary>Default service level: an answer within this many seconds counts as timely (DOMAIN.md: 15 s).</summary>
    [Range(1, 600, ErrorMessage = "Acd:ServiceLevelSeconds must be between 1 and 600.")]
    public int ServiceLevelSeconds { get; set; } = 15;

    /// <summary>
    /// An agent is Ready only while their phone is registered (<c>Acd:ReadyNeedsRegisteredPhone</c>, default true): without
    /// one they show "not ready (no phone)", so no caller is offered to a phone that cannot ring. Off only for set-ups
    /// whose agents' phones are reached without registering (fixed contacts) and for tests without phones.
    /// </summary>
    public bool ReadyNeedsRegisteredPhone { get; set; } = true;

    /// <summary>How long an agent's phone rings before RONA (<c>Acd:RingTimeoutSeconds</c>).</summary>
    [Range(3, 120, ErrorMessage = "Acd:RingTimeoutSeconds must be between 3 and 120.")]
    public int RingTimeoutSeconds { get; set; } = 15;

    /// <summary>After-call work before the agent is ready again (<c>Acd:WrapUpSeconds</c>, 0 = none).</summary>
    [Range(0, 3600, ErrorMessage = "Acd:WrapUpSeconds must be between 0 and 3600.")]
    public int WrapUpSeconds { get; set; } = 10;

    /// <summary>Position and expected-wait announcement period while queued (<c>Acd:AnnounceEverySeconds</c>, 0 = never).</summary>
    [Range(0, 600, ErrorMessage = "Acd:AnnounceEverySeconds must be between 0 and 600.")]
    public int AnnounceEverySeconds { get; set; } = 30;

    /// <summary>Prompt played on answer (<c>Acd:Greeting</c>; a file name under the sounds folder, without .wav; "" = none).</summary>
    public string Greeting { get; set; } = "greeting";

    /// <summary>Greeting variants (<c>Acd:Greetings:*</c>): the holiday greeting on holidays of the calendar.</summary>
    public GreetingOptions Greetings { get; set; } = new();

    /// <summary>The queue callers go to when there is no IVR menu or they choose nothing (<c>Acd:DefaultQueue</c>).</summary>
    [Required(ErrorMessage = "Acd:DefaultQueue is required.")]
    public string DefaultQueue { get; set; } = "general";

    /// <summary>Folder of prompt WAV files (<c>Acd:SoundsPath</c>, relative to the repo/content root).</summary>
    public string SoundsPath { get; set; } = "sounds";

    /// <summary>Prompt language subfolder (<c>Acd:Language</c>).</summary>
    public string Language { get; set; } = "en";

    public IvrOptions Ivr { get; set; } = new();

    /// <summary>Queues by name (<c>Acd:Queues:&lt;name&gt;:*</c>).</summary>
    public Dictionary<string, QueueOptions> Queues { get; set; } = new(StringComparer.Ordinal);

    public BusinessHoursOptions BusinessHours { get; set; } = new();

    public FeatureCodeOptions FeatureCodes { get; set; } = new();

    public VoicemailOptions Voicemail { get; set; } = new();

    /// <summary>
    /// How long an engine's hold on a busy agent lasts in Redis without renewal (<c>Acd:AgentLeaseSeconds</c>):
    /// renewed every third of it while held, so an engine that dies frees its agents within this time.
    /// </summary>
    [Range(6, 3600, ErrorMessage = "Acd:AgentLeaseSeconds must be between 6 and 3600.")]
    public int AgentLeaseSeconds { get; set; } = 30;
}

/// <summary>Voicemail overflow (<c>Acd:Voicemail:*</c>), used by queues and closed hours whose overflow is Voicemail.</summary>
public sealed class VoicemailOptions
{
    /// <summary>Longest message, in seconds; the recording stops there.</summary>
    public int MaxSeconds { get; set; } = 120;

    /// <summary>Prompt before the beep ("leave a message after the tone… press # when finished").</summary>
    public string Prompt { get; set; } = "voicemail";

    /// <summary>The tone that starts the recording.</summary>
    public string Beep { get; set; } = "beep";

    /// <summary>Played after # (the caller is still there), before hanging up.</summary>
    public string ThanksPrompt { get; set; } = "voicemail-thanks";

    /// <summary>Messages shorter than this (seconds) are not kept (a caller who hung up at the beep).</summary>
    public int MinSeconds { get; set; } = 1;
}

/// <summary>The optional DTMF menu after the greeting (<c>Acd:Ivr:*</c>).</summary>
public sealed class IvrOptions
{
    /// <summary>Prompt that reads the menu; empty options = no menu.</summary>
    public string Prompt { get; set; } = "menu";

    /// <summary>Seconds to wait for a key after the menu prompt.</summary>
    public int TimeoutSeconds { get; set; } = 5;

    /// <summary>How many times the menu is repeated when nothing valid is pressed, before the default queue.</summary>
    public int Retries { get; set; } = 2;

    /// <summary>Digit → queue and nature of the matter (<c>Acd:Ivr:Options:1:Queue</c>).</summary>
    public Dictionary<string, IvrChoiceOptions> Options { get; set; } = new(StringComparer.Ordinal);
}

public sealed class IvrChoiceOptions
{
    public string Queue { get; set; } = "";
    public string Nature { get; set; } = "";
}

/// <summary>What happens to a caller who cannot be queued (full, waited too long, closed).</summary>
public enum OverflowAction
{
    /// <summary>The caller keys a number to be called back (or # to keep their own); a CallbackRequested event.</summary>
    Callback,
    /// <summary>The caller is sent to another queue (<see cref="QueueOptions.OverflowQueue"/>).</summary>
    Queue,
    /// <summary>An apology, then hang up.</summary>
    Announce,
    /// <summary>The caller leaves a voicemail (prompt, beep, record until # or hang-up; <c>Acd:Voicemail</c>); a VoicemailLeft event.</summary>
    Voicemail,
}

/// <summary>One queue (<c>Acd:Queues:&lt;name&gt;:*</c>).</summary>
public sealed class QueueOptions
{
    public QueueStrategy Strategy { get; set; } = QueueStrategy.LongestIdle;

    /// <summary>0 = the hotline default (<see cref="AcdOptions.ServiceLevelSeconds"/>).</summary>
    public int ServiceLevelSeconds { get; set; }

    /// <summary>Longest wait before overflow, 0 = unlimited.</summary>
    public int MaxWaitSeconds { get; set; }

    /// <summary>Most callers waiting before new ones overflow, 0 = unlimited.</summary>
    public int MaxLength { get; set; }

    public OverflowAction Overflow { get; set; } = OverflowAction.Callback;

    /// <summary>Target when <see cref="Overflow"/> is <see cref="OverflowAction.Queue"/>.</summary>
    public string OverflowQueue { get; set; } = "";

    /// <summary>For <see cref="QueueStrategy.Skills"/>: the skill needed (default: the queue's name).</summary>
    public string Skill { get; set; } = "";
}

/// <summary>Opening hours (<c>Acd:BusinessHours:*</c>); 24/7 unless enabled.</summary>
public sealed class BusinessHoursOptions
{
    public bool Enabled { get; set; }

    /// <summary>IANA or Windows time zone id of the hotline (default UTC).</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Opening time of day, "HH:mm".</summary>
    public string Open { get; set; } = "08:00";

    /// <summary>Closing time of day, "HH:mm".</summary>
    public string Close { get; set; } = "20:00";

    /// <summary>Days open.</summary>
    public List<DayOfWeek> Days { get; set; } = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    /// <summary>Closed dates, "yyyy-MM-dd".</summary>
    public List<string> Holidays { get; set; } = [];

    /// <summary>What a caller outside hours gets (night/holiday overflow).</summary>
    public OverflowAction ClosedAction { get; set; } = OverflowAction.Callback;
}

/// <summary>Numbers an agent dials from their phone to change state (<c>Acd:FeatureCodes:*</c>).</summary>
public sealed class FeatureCodeOptions
{
    public string SignIn { get; set; } = "*11";
    public string SignOut { get; set; } = "*10";
    public string Ready { get; set; } = "*21";
    public string NotReady { get; set; } = "*22";

    /// <summary>Keyed on the agent's phone during a call: the silent-caller closing, then hang up ("" = off).</summary>
    public string SilentCaller { get; set; } = "*99";
}

/// <summary>One agent (<c>Agents:N:*</c>).</summary>
public sealed class AgentOptions
{
    public string Id { get; set; } = "";

    /// <summary>Display name shown on the desk and the wallboard (empty: the id is shown).</summary>
    public string Name { get; set; } = "";

    /// <summary>The agent's SIP account (user part), which the engine rings.</summary>
    public string User { get; set; } = "";

    public List<string> Queues { get; set; } = [];

    /// <summary>Skill → penalty tier (0 best). Used by the skills strategy.</summary>
    public Dictionary<string, int> Skills { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Signed in and ready when the engine starts.</summary>
    public bool AutoReady { get; set; }

    /// <summary>
    /// A trainee: their callers hear the trainee greeting with <see cref="SpokenNumber"/> when they answer
    /// (DOMAIN.md "The call": trainee variant with agent number; docs/acd.md "Greetings").
    /// </summary>
    public bool Trainee { get; set; }

    /// <summary>The agent number a trainee's callers hear, 1-8 digits ("" = <see cref="User"/>, which must then be digits).</summary>
    public string Number { get; set; } = "";

    /// <summary>What the trainee greeting speaks: "" for an agent who is not a trainee.</summary>
    public string SpokenNumber => !Trainee ? "" : string.IsNullOrEmpty(Number) ? User : Number;
}

/// <summary>The agent roster (<c>Agents</c> array).</summary>
public sealed class AgentsOptions
{
    public const string Section = "Agents";

    public List<AgentOptions> List { get; set; } = [];
}

/// <summary>Where TicketApi's gRPC ingest listens (<c>TicketApi:Url</c>).</summary>
public sealed class TicketApiOptions
{
    public const string Section = "TicketApi";

    [Required, Url(ErrorMessage = "TicketApi:Url must be an absolute http(s) URL, e.g. http://127.0.0.1:5001.")]
    public string Url { get; set; } = "http://127.0.0.1:5001";

    /// <summary>This node's credential toward TicketApi's ingest (<c>Authorization: Bearer</c>); TicketApi holds its hash in <c>Ingest:Nodes</c>.</summary>
    [Required(ErrorMessage = "TicketApi:NodeKey is required: the key TicketApi's Ingest:Nodes knows this node by (docs/security.md)."),
     MinLength(16, ErrorMessage = "TicketApi:NodeKey must be at least 16 characters.")]
    public string NodeKey { get; set; } = "";
}
