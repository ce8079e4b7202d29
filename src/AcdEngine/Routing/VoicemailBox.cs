using System.Globalization;

namespace Hotline.AcdEngine.Routing;

/// <summary>A voicemail message on disk: where it is and how long it lasts (from the WAV's data size).</summary>
public sealed record VoicemailFile(string Location, TimeSpan Duration);

/// <summary>
/// Where voicemail is kept: <c>&lt;root&gt;/yyyy/MM/dd/&lt;callId&gt;.wav</c> under <c>Data:Path/voicemail</c> (one file per
/// call, the date folder as for call recordings). The work order TicketApi opens points at the file.
/// </summary>
public sealed class VoicemailBox(string root, TimeProvider time)
{
    private const int WavHeaderBytes = 44;

    public string Root { get; } = root;

    /// <summary>The file a new message of <paramref name="callId"/> is recorded to (its folder created).</summary>
    public string NewMessagePath(string callId)
    {
        var now = time.GetUtcNow();
        var folder = Path.Combine(Root, now.ToString("yyyy", CultureInfo.InvariantCulture),
            now.ToString("MM", CultureInfo.InvariantCulture), now.ToString("dd", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, callId + ".wav");
    }

    /// <summary>The finished message, or null when nothing was written.</summary>
    public static VoicemailFile? Measure(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists) return null;
        var samples = Math.Max(0, file.Length - WavHeaderBytes) / 2;
        return new VoicemailFile(path, TimeSpan.FromSeconds(samples / (double)Cti.Media.AudioFormat.SampleRate));
    }

    /// <summary>Removes a message too short to keep.</summary>
    public static void Discard(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a stray short file is harmless.
        }
    }
}
