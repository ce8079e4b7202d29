using System.Net;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Registrar;
using Hotline.Cti.Sip.Transactions;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Cti.Tests.Sip.Registrar;

/// <summary>
/// The digest check for requests other than REGISTER (RFC 3261 §22.3: 407 / Proxy-Authenticate / Proxy-Authorization),
/// sharing nonces, replay refusal and lock-out with the registrar.
/// </summary>
[TestFixture]
public sealed class ProxyDigestTests
{
    private FakeTimeProvider _time = null!;
    private FakeSender _sender = null!;
    private SipDigestAuthenticator _auth = null!;
    private SipRegistrar _registrar = null!;
    private uint _cseq;

    [SetUp]
    public void Fresh()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        _sender = new FakeSender();
        var options = new SipRegistrarOptions { Realm = "hotline", Algorithms = [DigestAlgorithm.Md5], MaxFailures = 3 };
        _auth = new SipDigestAuthenticator([new SipAccount("1001", "agent1001")], options, _time, NullLogger.Instance);
        _registrar = new SipRegistrar(_auth, options, _time, NullLogger<SipRegistrar>.Instance);
    }

    /// <summary>Sends one MESSAGE claiming <paramref name="from"/>; returns (authenticated user, the response sent).</summary>
    private (string? User, SipMessage? Response) Message(string from = "1001", string? proxyAuthorization = null, string source = "10.0.0.9",
        string method = "MESSAGE")
    {
        var extra = proxyAuthorization is null ? "" : $"Proxy-Authorization: {proxyAuthorization}\r\n";
        var m = SipTestMessages.Request(method, branch: "z9hG4bK" + Guid.NewGuid().ToString("N"), uri: "sip:00441234567@hotline",
            cseq: ++_cseq, callId: "msg-1", extra: extra);
        m.SetHeader("From", $"<sip:{from}@hotline>;tag=f1");
        var tx = new ServerNonInviteTransaction(m, FakeSender.Peer, _sender, SipTimerSettings.Default, _time);
        var request = new ServerRequest(tx, new SipEndPoint(SipProtocol.Udp, new IPEndPoint(IPAddress.Parse(source), 5062)));
        var count = _sender.Sent.Count;
        var account = _auth.Authenticate(request, DigestChallengeKind.Proxy, (s, r, c) => request.Respond(s, r, c), expectedUser: from);
        return (account?.User, _sender.Sent.Count > count ? _sender.Sent[^1].Message : null);
    }

    private static string Answer(SipMessage challenge, string password = "agent1001", string nc = "00000001", string user = "1001",
        string method = "MESSAGE")
    {
        var header = challenge.GetHeader("Proxy-Authenticate")!;
        var nonce = header.Split("nonce=\"")[1].Split('"')[0];
        const string uri = "sip:00441234567@hotline";
        var response = DigestComputation.Response(DigestAlgorithm.Md5, user, "hotline", password, method, uri, nonce, "auth", nc, "c0ffee");
        return $"Digest username=\"{user}\", realm=\"hotline\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\", " +
               $"algorithm=MD5, cnonce=\"c0ffee\", qop=auth, nc={nc}";
    }

    [Test]
    public void A_request_without_credentials_gets_407_with_Proxy_Authenticate_whether_or_not_the_account_exists()
    {
        var (user, known) = Message(from: "1001");
        var (_, unknown) = Message(from: "9999");
        Assert.Multiple(() =>
        {
            Assert.That(user, Is.Null);
            Assert.That(known!.StatusCode, Is.EqualTo(407));
            Assert.That(unknown!.StatusCode, Is.EqualTo(407));
            Assert.That(known.GetHeader("Proxy-Authenticate"), Does.StartWith("Digest realm=\"hotline\"").And.Contain("qop=\"auth\""));
            Assert.That(known.GetHeader(SipHeaderId.WwwAuthenticate), Is.Null, "§22.3: a proxy challenge, not a server one");
            // Same shape for both: only the nonce differs.
            Assert.That(unknown.GetHeader("Proxy-Authenticate")!.Split("nonce=")[0], Is.EqualTo(known.GetHeader("Proxy-Authenticate")!.Split("nonce=")[0]));
        });
    }

    [Test]
    public void The_right_digest_authenticates_and_a_replay_of_it_is_challenged_again()
    {
        var (_, challenge) = Message();
        var credentials = Answer(challenge!);
        var (user, _) = Message(proxyAuthorization: credentials);
        var (replayed, again) = Message(proxyAuthorization: credentials);
        Assert.Multiple(() =>
        {
            Assert.That(user, Is.EqualTo("1001"));
            Assert.That(replayed, Is.Null);
            Assert.That(again!.StatusCode, Is.EqualTo(407));
        });
    }

    [Test]
    public void Credentials_of_one_account_do_not_let_a_request_claim_another()
    {
        var (_, challenge) = Message(from: "1002");
        var (user, response) = Message(from: "1002", proxyAuthorization: Answer(challenge!));
        Assert.That((user, response!.StatusCode), Is.EqualTo(((string?)null, 407)));
    }

    [Test]
    public void Failures_with_407_and_401_share_one_lock_out_per_source()
    {
        var (_, challenge) = Message();
        Assert.That(Message(proxyAuthorization: Answer(challenge!, password: "guess1")).Response!.StatusCode, Is.EqualTo(407));
        Assert.That(Message(proxyAuthorization: Answer(challenge!, password: "guess2")).Response!.StatusCode, Is.EqualTo(407));
        Assert.That(Message(proxyAuthorization: Answer(challenge!, password: "guess3")).Response!.StatusCode, Is.EqualTo(403));
        // The registrar now refuses the same source too, even before looking at credentials.
        var register = SipTestMessages.Request("REGISTER", branch: "z9hG4bK" + Guid.NewGuid().ToString("N"), uri: "sip:1001@hotline", cseq: 99, callId: "r");
        var tx = new ServerNonInviteTransaction(register, FakeSender.Peer, _sender, SipTimerSettings.Default, _time);
        _registrar.Handle(new ServerRequest(tx, new SipEndPoint(SipProtocol.Udp, new IPEndPoint(IPAddress.Parse("10.0.0.9"), 5062))));
        Assert.That(_sender.Sent[^1].Message.StatusCode, Is.EqualTo(403));
        // Another source is not affected.
        Assert.That(Message(source: "10.0.0.10").Response!.StatusCode, Is.EqualTo(407));
    }
}
