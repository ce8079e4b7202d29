using System.Net;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Registrar;
using Hotline.Cti.Sip.Transactions;
using Hotline.Cti.Sip.Transport;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Cti.Tests.Sip.Registrar;

/// <summary>REGISTER handling (RFC 3261 §10.3) with digest authentication (§22, RFC 8760) in virtual time.</summary>
[TestFixture]
public sealed class SipRegistrarTests
{
    private FakeTimeProvider _time = null!;
    private FakeSender _sender = null!;
    private SipRegistrar _registrar = null!;
    private uint _cseq;

    [SetUp]
    public void Fresh()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        _sender = new FakeSender();
        _cseq = 0;
        _registrar = new SipRegistrar([new SipAccount("1001", "agent1001")],
            new SipRegistrarOptions { Realm = "hotline", Algorithms = [DigestAlgorithm.Sha256, DigestAlgorithm.Md5], MaxFailures = 3 },
            _time, NullLogger<SipRegistrar>.Instance);
    }

    private SipMessage Register(string user = "1001", string? authorization = null, string contact = "<sip:1001@10.0.0.5:5062>",
        string? expires = "300", string source = "10.0.0.5", string callId = "reg-1")
    {
        var extra = (authorization is null ? "" : $"Authorization: {authorization}\r\n") + (expires is null ? "" : $"Expires: {expires}\r\n");
        var m = SipTestMessages.Request("REGISTER", branch: "z9hG4bK" + Guid.NewGuid().ToString("N"), uri: $"sip:{user}@hotline",
            cseq: ++_cseq, callId: callId, extra: extra);
        m.SetHeader("Contact", contact);
        var tx = new ServerNonInviteTransaction(m, FakeSender.Peer, _sender, SipTimerSettings.Default, _time);
        _registrar.Handle(new ServerRequest(tx, new SipEndPoint(SipProtocol.Udp, new IPEndPoint(IPAddress.Parse(source), 5062))));
        return _sender.Sent[^1].Message;
    }

    private static string Answer(SipMessage challenge, DigestAlgorithm algorithm, string password = "agent1001", string nc = "00000001",
        string user = "1001")
    {
        var www = challenge.Headers.Where(h => h.Id == SipHeaderId.WwwAuthenticate).Select(h => h.Value)
            .First(v => v.Contains("algorithm=" + algorithm.Name(), StringComparison.Ordinal));
        var nonce = www.Split("nonce=\"")[1].Split('"')[0];
        const string uri = "sip:hotline";
        var response = DigestComputation.Response(algorithm, user, "hotline", password, "REGISTER", uri, nonce, "auth", nc, "c0ffee");
        return $"Digest username=\"{user}\", realm=\"hotline\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\", " +
               $"algorithm={algorithm.Name()}, cnonce=\"c0ffee\", qop=auth, nc={nc}";
    }

    [TestCase(DigestAlgorithm.Md5)]
    [TestCase(DigestAlgorithm.Sha256)]
    public void Challenge_then_correct_digest_binds_the_contact(DigestAlgorithm algorithm)
    {
        var challenge = Register();
        Assert.That(challenge.StatusCode, Is.EqualTo(401));
        var algorithms = challenge.Headers.Where(h => h.Id == SipHeaderId.WwwAuthenticate).Select(h => h.Value).ToList();
        Assert.That(algorithms[0], Does.Contain("algorithm=SHA-256").And.Contain("qop=\"auth\""), "RFC 8760: preferred first");
        var ok = Register(authorization: Answer(challenge, algorithm));
        Assert.Multiple(() =>
        {
            Assert.That(ok.StatusCode, Is.EqualTo(200));
            Assert.That(ok.GetHeader(SipHeaderId.Contact), Is.EqualTo("<sip:1001@10.0.0.5:5062>;expires=300"));
            Assert.That(_registrar.Bindings.Lookup("1001").Single().Contact, Is.EqualTo("sip:1001@10.0.0.5:5062"));
        });
    }

    [TestCase("NoOneKnowsThisScheme opaque-data=here")]
    [TestCase("Digest username=\"1001\", realm=\"hotline\", nonce=\"x\", uri=\"sip:hotline\", response=\"0\", algorithm=SHA-512-256")]
    public void Credentials_in_a_scheme_or_algorithm_we_do_not_know_are_challenged_not_refused(string authorization)
    {
        // RFC 4475 §3.3.7 (regaut01): challenge with a scheme we understand; RFC 8760 §2.4 likewise for an algorithm.
        var answer = Register(authorization: authorization);
        Assert.Multiple(() =>
        {
            Assert.That(answer.StatusCode, Is.EqualTo(401));
            Assert.That(answer.Headers.Where(h => h.Id == SipHeaderId.WwwAuthenticate).Select(h => h.Value), Has.All.StartWith("Digest "));
            Assert.That(_registrar.Bindings.Lookup("1001"), Is.Empty);
        });
    }

    [Test]
    public void Wrong_password_is_challenged_again_and_repeated_failures_lock_the_source_out()
    {
        var challenge = Register();
        Assert.That(Register(authorization: Answer(challenge, DigestAlgorithm.Md5, password: "guess1")).StatusCode, Is.EqualTo(401));
        Assert.That(Register(authorization: Answer(challenge, DigestAlgorithm.Md5, password: "guess2")).StatusCode, Is.EqualTo(401));
        Assert.That(Register(authorization: Answer(challenge, DigestAlgorithm.Md5, password: "guess3")).StatusCode, Is.EqualTo(403));
        // Even the right password is refused while locked out; another source is not affected.
        var fresh = Register(source: "10.0.0.9");
        Assert.Multiple(() =>
        {
            Assert.That(Register(authorization: Answer(fresh, DigestAlgorithm.Md5)).StatusCode, Is.EqualTo(403));
            Assert.That(Register(authorization: Answer(fresh, DigestAlgorithm.Md5), source: "10.0.0.9").StatusCode, Is.EqualTo(200));
            Assert.That(_registrar.Bindings.Lookup("1001"), Has.Count.EqualTo(1));
        });
        _time.Advance(TimeSpan.FromMinutes(11));
        var again = Register();
        Assert.That(Register(authorization: Answer(again, DigestAlgorithm.Md5), contact: "<sip:1001@10.0.0.5:5064>").StatusCode, Is.EqualTo(200), "lock-out expires");
    }

    [Test]
    public void A_replayed_nonce_count_is_refused_and_a_higher_one_accepted()
    {
        var challenge = Register();
        var first = Answer(challenge, DigestAlgorithm.Md5, nc: "00000001");
        Assert.That(Register(authorization: first).StatusCode, Is.EqualTo(200));
        Assert.That(Register(authorization: first).StatusCode, Is.EqualTo(401), "same nc again: replay");
        Assert.That(Register(authorization: Answer(challenge, DigestAlgorithm.Md5, nc: "00000002")).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public void An_expired_nonce_gets_a_stale_challenge()
    {
        var challenge = Register();
        _time.Advance(TimeSpan.FromMinutes(6));
        var stale = Register(authorization: Answer(challenge, DigestAlgorithm.Md5));
        Assert.That(stale.StatusCode, Is.EqualTo(401));
        Assert.That(stale.GetHeader(SipHeaderId.WwwAuthenticate), Does.Contain("stale=true"));
    }

    [Test]
    public void Several_contacts_expire_individually_and_star_removes_all()
    {
        var c = Register();
        Register(authorization: Answer(c, DigestAlgorithm.Md5, nc: "00000001"), contact: "<sip:1001@10.0.0.5:5062>;expires=120, <sip:1001@10.0.0.6:5062>", expires: "600");
        Assert.That(_registrar.Bindings.Lookup("1001"), Has.Count.EqualTo(2));
        _time.Advance(TimeSpan.FromSeconds(121));
        Assert.That(_registrar.Bindings.Lookup("1001").Single().Contact, Is.EqualTo("sip:1001@10.0.0.6:5062"));
        var tooShort = Register(authorization: Answer(c, DigestAlgorithm.Md5, nc: "00000002"), expires: "10");
        Assert.That(tooShort.StatusCode, Is.EqualTo(423));
        Assert.That(tooShort.GetHeader(SipHeaderId.MinExpires), Is.EqualTo("60"));
        var removed = Register(authorization: Answer(c, DigestAlgorithm.Md5, nc: "00000003"), contact: "*", expires: "0");
        Assert.Multiple(() =>
        {
            Assert.That(removed.StatusCode, Is.EqualTo(200));
            Assert.That(_registrar.Bindings.Lookup("1001"), Is.Empty);
        });
        Assert.That(Register(authorization: Answer(c, DigestAlgorithm.Md5, nc: "00000004"), contact: "*", expires: "5").StatusCode, Is.EqualTo(400));
    }

    [Test]
    public void Unknown_user_is_challenged_like_a_known_one()
    {
        var challenge = Register(user: "9999");
        Assert.That(challenge.StatusCode, Is.EqualTo(401));
        Assert.That(Register(user: "9999", authorization: Answer(challenge, DigestAlgorithm.Md5, user: "9999")).StatusCode, Is.EqualTo(401));
    }
}
