using Org.BouncyCastle.Tls;

namespace Hotline.Cti.Media.WebRtc.Dtls;

/// <summary>
/// One DTLS-SRTP handshake in memory (our server against our client, same certificate) at start, so the first
/// browser call does not pay for loading and compiling BouncyCastle's DTLS and EC code: measured on a loaded 2-core
/// machine, the first handshake of a process took ~800 ms of the browser's answer → audio time, later ones far less.
/// </summary>
public static class DtlsWarmUp
{
    /// <summary>Runs the handshake on pool threads; completes with the elapsed time, faults if it failed.</summary>
    public static Task<TimeSpan> RunAsync(DtlsCertificate certificate, TimeProvider time) => Task.Run(() =>
    {
        var started = time.GetTimestamp();
        DtlsPacketChannel? toClient = null;
        using var server = new DtlsSrtpHandshake(certificate, certificate.Fingerprint, d => toClient!.Deliver(d.Span));
        toClient = new DtlsPacketChannel(d => server.Deliver(d.Span));
        var transport = new DtlsClientProtocol().Connect(new DtlsSrtpClient(certificate, certificate.Fingerprint), toClient);
        if (!server.Completion.Wait(TimeSpan.FromSeconds(10))) throw new TimeoutException("DTLS warm-up: the server did not finish");
        _ = server.Completion.Result; // faults here if the server side failed
        transport.Close();
        toClient.Close();
        return time.GetElapsedTime(started);
    });
}
