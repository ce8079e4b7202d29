using System.Text.Json;
using Hotline.Cti.Sip.Registrar;

namespace Hotline.AcdEngine.Sip;

/// <summary>
/// Keeps the registrar's bindings in the engine's data folder (<c>registrations.json</c>), written after every change
/// (write to a temporary file, then rename: a crash leaves the old or the new file, never half of one) and read at
/// start, so a restart does not forget the phones (issue 20). Expiry is honoured: a binding that expired while the
/// engine was down is not restored.
/// </summary>
public sealed partial class RegistrationFile(string path, ILogger<RegistrationFile> logger)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly Lock _gate = new();

    public string Path { get; } = path;

    public int Load(SipBindings bindings)
    {
        if (!File.Exists(Path)) return 0;
        try
        {
            var saved = JsonSerializer.Deserialize<List<SipBinding>>(File.ReadAllBytes(Path), Json) ?? [];
            var restored = bindings.Restore(saved);
            LogRestored(logger, restored, saved.Count - restored);
            return restored;
        }
        catch (JsonException ex)
        {
            // A damaged file costs the phones one re-registration, not the engine's start.
            LogUnreadable(logger, Path, ex.Message);
            return 0;
        }
    }

    public void Save(SipBindings bindings)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(bindings.Snapshot(), Json);
        lock (_gate)
        {
            try
            {
                var temp = Path + ".tmp";
                File.WriteAllBytes(temp, json);
                File.Move(temp, Path, overwrite: true);
            }
            catch (IOException ex)
            {
                LogUnwritable(logger, Path, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP registrations restored: {Restored} live, {Expired} expired while the engine was down")]
    private static partial void LogRestored(ILogger logger, int restored, int expired);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP registrations file {Path} unreadable, starting without it: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string path, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP registrations file {Path} not written: {Error}")]
    private static partial void LogUnwritable(ILogger logger, string path, string error);
}
