using Hotline.Cti.Media.Rtp;
using Hotline.Cti.Media.Srtp;
using Hotline.Cti.Media.WebRtc;
using Hotline.Cti.Media.WebRtc.Dtls;
using Org.BouncyCastle.Tls;

namespace Hotline.Cti.Tests.Media.WebRtc;

/// <summary>
/// The DTLS client's SRTP keys (RFC 5764 §4.2): exported from the same handshake as the server's, in the other
/// order, so what one side protects the other unprotects. MediaBench's <c>--webrtc</c> browser relies on it.
/// </summary>
[TestFixture]
public sealed class DtlsSrtpClientTests
{
    [Test]
    public async Task Client_keys_mirror_the_servers_and_srtp_flows_both_ways()
    {
        var server = DtlsCertificate.Generate(TimeProvider.System);
        var browser = DtlsCertificate.Generate(TimeProvider.System);
        DtlsPacketChannel? toClient = null;
        using var handshake = new DtlsSrtpHandshake(server, browser.Fingerprint, d => toClient!.Deliver(d.Span));
        toClient = new DtlsPacketChannel(d => handshake.Deliver(d.Span));
        var client = new DtlsSrtpClient(browser, server.Fingerprint);
        var transport = await Task.Run(() => new DtlsClientProtocol().Connect(client, toClient));
        var serverKeys = await handshake.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        transport.Close();
        toClient.Close();

        var clientKeys = client.Keying ?? throw new AssertionException("the client exported no keys");
        Assert.Multiple(() =>
        {
            Assert.That(clientKeys.Local.Key.ToArray(), Is.EqualTo(serverKeys.Remote.Key.ToArray()));
            Assert.That(clientKeys.Local.Salt.ToArray(), Is.EqualTo(serverKeys.Remote.Salt.ToArray()));
            Assert.That(clientKeys.Remote.Key.ToArray(), Is.EqualTo(serverKeys.Local.Key.ToArray()));
            Assert.That(clientKeys.Local.Key.ToArray(), Is.Not.EqualTo(clientKeys.Remote.Key.ToArray()), "each direction has its own key");
        });
        AssertFlows(serverKeys, clientKeys);
        AssertFlows(clientKeys, serverKeys);
    }

    [Test]
    public async Task A_client_role_handshake_against_a_server_role_handshake_exports_mirrored_keys()
    {
        var engine = DtlsCertificate.Generate(TimeProvider.System);
        var browser = DtlsCertificate.Generate(TimeProvider.System);
        // The client's thread sends its hello from inside its constructor: the server's replies wait for the object.
        var made = new TaskCompletionSource<DtlsSrtpHandshake>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new DtlsSrtpHandshake(browser, engine.Fingerprint, d => made.Task.Result.Deliver(d.Span));
        using var client = new DtlsSrtpHandshake(engine, browser.Fingerprint, d => server.Deliver(d.Span), DtlsRole.Client);
        made.SetResult(client);
        var clientKeys = await client.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        var serverKeys = await server.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(clientKeys.Local.Key.ToArray(), Is.EqualTo(serverKeys.Remote.Key.ToArray()));
        AssertFlows(serverKeys, clientKeys);
        AssertFlows(clientKeys, serverKeys);
    }

    [Test]
    public async Task As_the_client_a_server_whose_certificate_is_not_its_fingerprint_is_refused()
    {
        var engine = DtlsCertificate.Generate(TimeProvider.System);
        var browser = DtlsCertificate.Generate(TimeProvider.System);
        var impostor = DtlsCertificate.Generate(TimeProvider.System);
        // The client's thread sends its hello from inside its constructor: the server's replies wait for the object.
        var made = new TaskCompletionSource<DtlsSrtpHandshake>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new DtlsSrtpHandshake(impostor, engine.Fingerprint, d => made.Task.Result.Deliver(d.Span));
        using var client = new DtlsSrtpHandshake(engine, browser.Fingerprint, d => server.Deliver(d.Span), DtlsRole.Client);
        made.SetResult(client);
        var failure = Assert.ThrowsAsync<IOException>(() => client.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.That(failure!.Message, Does.Contain("does not match its a=fingerprint"));
    }

    private static void AssertFlows(SrtpKeying sender, SrtpKeying receiver)
    {
        using var protect = new SrtpContext(sender.Suite, sender.Local);
        using var unprotect = new SrtpContext(receiver.Suite, receiver.Remote);
        using var wrong = new SrtpContext(receiver.Suite, receiver.Local);
        var packet = new byte[RtpPacket.HeaderLength + 160 + 16];
        RtpPacket.WriteHeader(packet, false, 0, 7, 160, 0x1234);
        var length = protect.Protect(packet, RtpPacket.HeaderLength + 160);
        var copy = packet.ToArray();
        Assert.That(wrong.Unprotect(copy.AsSpan(0, length), out _), Is.EqualTo(SrtpUnprotectResult.AuthenticationFailed));
        Assert.That(unprotect.Unprotect(packet.AsSpan(0, length), out var plain), Is.EqualTo(SrtpUnprotectResult.Ok));
        Assert.That(plain, Is.EqualTo(RtpPacket.HeaderLength + 160));
    }
}
