namespace Hotline.AcdEngine.Queues;

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

public sealed class QueueOptions
{
    public QueueStrategy Strategy { get; set; } = QueueStrategy.LongestIdle;

    /// <summary>0 = the hotline default (<see cref="IQueueSettings.ServiceLevelSeconds"/>).</summary>
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
