using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transactions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Cti.Tests.Sip.Transactions;

/// <summary>RFC 3261 §17.2 server machines and §17.2.3 matching, in virtual time.</summary>
[TestFixture]
public sealed class ServerTransactionTests
{
    private readonly SipTimerSettings _timers = SipTimerSettings.Default;
    private FakeTimeProvider _time = null!;
    private FakeSender _sender = null!;

    [SetUp]
    public void Fresh()
    {
        _time = new FakeTimeProvider();
        _sender = new FakeSender();
    }

    [Test]
    public void Non_2xx_final_is_retransmitted_on_timer_G_until_ack_then_timer_I_ends_it()
    {
        var invite = SipTestMessages.Request("INVITE");
        var tx = new ServerInviteTransaction(invite, FakeSender.Peer, _sender, _timers, _time);
        tx.SendResponse(tx.CreateResponse(486, toTag: "t"));
        _time.Run(TimeSpan.FromSeconds(0.5));
        _time.Run(TimeSpan.FromSeconds(1));
        _time.Run(TimeSpan.FromSeconds(2));
        Assert.That(_sender.Count(m => m.StatusCode == 486), Is.EqualTo(4), "0, 0.5, 1.5, 3.5 s");
        tx.OnAck();
        _time.Run(TimeSpan.FromSeconds(4));
        Assert.Multiple(() =>
        {
            Assert.That(_sender.Count(m => m.StatusCode == 486), Is.EqualTo(4));
            Assert.That(tx.State, Is.EqualTo(SipTransactionState.Confirmed));
            Assert.That(tx.Acknowledged.Result, Is.True);
        });
        _time.Run(_timers.T4);
        Assert.That(tx.State, Is.EqualTo(SipTransactionState.Terminated));
    }

    [Test]
    public void Timer_H_gives_up_when_no_ack_arrives()
    {
        var tx = new ServerInviteTransaction(SipTestMessages.Request("INVITE"), FakeSender.Peer, _sender, _timers, _time);
        tx.SendResponse(tx.CreateResponse(404, toTag: "t"));
        _time.Run(_timers.TimeoutInterval);
        Assert.Multiple(() =>
        {
            Assert.That(tx.State, Is.EqualTo(SipTransactionState.Terminated));
            Assert.That(tx.EndReason, Is.EqualTo(SipTransactionEnd.Timeout));
            Assert.That(tx.Acknowledged.Result, Is.False);
            // G doubles to T2: 0, .5, 1.5, 3.5, 7.5, 11.5, … 31.5 → 11 sends in 32 s.
            Assert.That(_sender.Count(m => m.StatusCode == 404), Is.EqualTo(11));
        });
    }

    [Test]
    public void A_2xx_is_retransmitted_until_the_dialog_reports_its_ack()
    {
        var tx = new ServerInviteTransaction(SipTestMessages.Request("INVITE"), FakeSender.Peer, _sender, _timers, _time);
        tx.SendResponse(tx.CreateResponse(200, toTag: "t"));
        _time.Run(TimeSpan.FromSeconds(1.5));
        Assert.That(_sender.Count(m => m.StatusCode == 200), Is.EqualTo(3));
        tx.OnSuccessAcknowledged();
        _time.Run(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(_sender.Count(m => m.StatusCode == 200), Is.EqualTo(3));
            Assert.That(tx.Acknowledged.Result, Is.True);
            Assert.That(tx.State, Is.EqualTo(SipTransactionState.Accepted), "RFC 6026: absorbs INVITE copies until Timer L");
        });
        tx.OnRetransmission();
        Assert.That(_sender.Count(m => m.StatusCode == 200), Is.EqualTo(3));
        _time.Run(_timers.TimeoutInterval);
        Assert.That(tx.State, Is.EqualTo(SipTransactionState.Terminated));
    }

    [Test]
    public void Non_invite_resends_its_final_for_retransmissions_until_timer_J()
    {
        var request = SipTestMessages.Request("BYE", toTag: "x");
        var table = new SipTransactionTable();
        var tx = new ServerNonInviteTransaction(request, FakeSender.Peer, _sender, _timers, _time);
        table.TryAdd(tx);
        table.MatchRequest(request)!.OnRetransmission();
        Assert.That(_sender.Sent, Is.Empty, "Trying absorbs silently");
        tx.SendResponse(tx.CreateResponse(200));
        Assert.That(() => tx.SendResponse(tx.CreateResponse(500)), Throws.InvalidOperationException);
        table.MatchRequest(SipTestMessages.Request("BYE", toTag: "x"))!.OnRetransmission();
        Assert.That(_sender.Count(m => m.StatusCode == 200), Is.EqualTo(2));
        _time.Run(_timers.TimeoutInterval);
        Assert.Multiple(() =>
        {
            Assert.That(tx.State, Is.EqualTo(SipTransactionState.Terminated));
            Assert.That(table.Count, Is.Zero);
        });
    }

    [Test]
    public void Matching_follows_branch_sent_by_and_method_with_ack_and_cancel_mapped_to_invite()
    {
        var table = new SipTransactionTable();
        var invite = SipTestMessages.Request("INVITE", branch: "z9hG4bKabc");
        var tx = new ServerInviteTransaction(invite, FakeSender.Peer, _sender, _timers, _time);
        table.TryAdd(tx);
        Assert.Multiple(() =>
        {
            Assert.That(table.MatchRequest(SipTestMessages.Request("ACK", branch: "z9hG4bKabc")), Is.SameAs(tx));
            Assert.That(table.MatchCancelled(SipTestMessages.Request("CANCEL", branch: "z9hG4bKabc")), Is.SameAs(tx));
            Assert.That(table.MatchRequest(SipTestMessages.Request("CANCEL", branch: "z9hG4bKabc")), Is.Null, "CANCEL is its own transaction");
            Assert.That(table.MatchRequest(SipTestMessages.Request("INVITE", branch: "z9hG4bKother")), Is.Null);
        });
    }
}
