using System.ComponentModel.DataAnnotations;

namespace Hotline.TicketApi.Quality;

/// <summary><c>Quality:*</c>: the quality review of recordings (issue 17; DOMAIN.md "quality review").</summary>
public sealed class QualityOptions
{
    public const string Section = "Quality";

    /// <summary>Recordings sampled per agent per month (DOMAIN.md: 30; seed 004 "每人每月抽查30条录音").</summary>
    [Range(1, 500)]
    public int SampleSize { get; set; } = 30;
}
