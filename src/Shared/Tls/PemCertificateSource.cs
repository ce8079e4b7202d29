using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Hotline.Tls;

/// <summary>
/// A certificate and private key read from PEM files, re-read when either file changes (checked at most every
/// few seconds, on use), so a renewed certificate is served without a restart. A file that fails to load keeps
/// the previous certificate and logs why; the first load must succeed (bad configuration stops the host).
/// </summary>
internal sealed partial class PemCertificateSource
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private X509Certificate2 _current;
    private (DateTime Certificate, DateTime Key) _stamps;
    private long _nextCheck;

    public PemCertificateSource(string certificatePath, string keyPath, TimeProvider time, ILogger logger)
    {
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _time = time;
        _logger = logger;
        _stamps = Stamps();
        _current = Load(certificatePath, keyPath);
        _nextCheck = time.GetTimestamp() + (long)(CheckEvery.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Loads a PEM pair; throws with the paths in the message when it cannot (used at start).</summary>
    public static X509Certificate2 Load(string certificatePath, string keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"Cannot load the TLS certificate '{certificatePath}' with key '{keyPath}': {ex.Message}", ex);
        }
    }

    /// <summary>The certificate to present now (reloaded first if the files changed).</summary>
    public X509Certificate2 Current
    {
        get
        {
            var now = _time.GetTimestamp();
            if (now < Interlocked.Read(ref _nextCheck)) return Volatile.Read(ref _current);
            lock (_gate)
            {
                if (now < _nextCheck) return _current;
                _nextCheck = now + (long)(CheckEvery.TotalSeconds * _time.TimestampFrequency);
                var stamps = Stamps();
                if (stamps == _stamps) return _current;
                try
                {
                    var fresh = Load(_certificatePath, _keyPath);
                    _stamps = stamps;
                    Volatile.Write(ref _current, fresh);
                    LogReloaded(_logger, _certificatePath, fresh.Subject, fresh.NotAfter);
                }
                catch (InvalidOperationException ex)
                {
                    // Half-written files during a rotation: keep serving the old certificate, try again later.
                    LogReloadFailed(_logger, _certificatePath, ex.Message);
                }
                return _current;
            }
        }
    }

    private (DateTime, DateTime) Stamps() => (File.GetLastWriteTimeUtc(_certificatePath), File.GetLastWriteTimeUtc(_keyPath));

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate {Path} reloaded: {Subject}, valid until {NotAfter:u}")]
    private static partial void LogReloaded(ILogger logger, string path, string subject, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS certificate {Path} changed but does not load ({Reason}); still serving the previous one")]
    private static partial void LogReloadFailed(ILogger logger, string path, string reason);
}
