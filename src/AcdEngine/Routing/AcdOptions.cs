using System.ComponentModel.DataAnnotations;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Greetings;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Queues;

namespace Hotline.AcdEngine.Routing;

public sealed class AcdOptions : IQueueSettings, IAgentSettings, IGreetingSettings
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

    /// <summary>
    /// How long an agent whose phone answered a ring "busy" (486 Busy Here, 600 Busy Everywhere: on another call) is not
    /// offered a call before being ready again (<c>Acd:BusyRetrySeconds</c>). A busy phone is not an agent declining.
    /// </summary>
    [Range(1, 600, ErrorMessage = "Acd:BusyRetrySeconds must be between 1 and 600.")]
    public int BusyRetrySeconds { get; set; } = 10;

    /// <summary>
    /// After this many busy rings in a row with no call answered between them (<c>Acd:MaxBusyInARow</c>, 0 = no limit),
    /// the agent is not ready "phone always busy" until they say ready: a phone left on do-not-disturb would otherwise
    /// be rung every <c>Acd:BusyRetrySeconds</c> all day.
    /// </summary>
    [Range(0, 100, ErrorMessage = "Acd:MaxBusyInARow must be between 0 and 100.")]
    public int MaxBusyInARow { get; set; } = 3;

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

    /// <summary>
    /// One waiting line per queue name across every engine on the same Redis (<c>Acd:SharedQueues</c>, docs/scaling.md):
    /// a free agent anywhere is offered to the oldest caller of any engine. Default false: one engine alone gains nothing
    /// from it (and ring-all offers one agent at a time on the shared line); set it on every engine of a multi-engine
    /// site, together with <c>Sip:AgentProxy</c> so that any engine can ring any agent.
    /// </summary>
    public bool SharedQueues { get; set; }

    bool IAgentSettings.IsQueue(string name) => Queues.ContainsKey(name);
}

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

public sealed class FeatureCodeOptions
{
    public string SignIn { get; set; } = "*11";
    public string SignOut { get; set; } = "*10";
    public string Ready { get; set; } = "*21";
    public string NotReady { get; set; } = "*22";

    /// <summary>Keyed on the agent's phone during a call: the silent-caller closing, then hang up ("" = off).</summary>
    public string SilentCaller { get; set; } = "*99";
}
