using System.ComponentModel.DataAnnotations;

namespace Hotline.AcdEngine.Recording;

/// <summary>Call recording (<c>Recording:*</c>): one WAV per call under <c>Data:Path/recordings</c>.</summary>
public sealed class RecordingOptions
{
    public const string Section = "Recording";

    public bool Enabled { get; set; }

    /// <summary>Recordings older than this are deleted by the retention sweep.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 180;

    /// <summary>How often the retention sweep runs.</summary>
    [Range(1, 168)]
    public int SweepEveryHours { get; set; } = 6;
}
