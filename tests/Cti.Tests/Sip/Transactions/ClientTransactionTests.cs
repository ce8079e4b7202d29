using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transactions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Cti.Tests.Sip.Transactions;

/// <summary>RFC 3261 §17.1 client machines in virtual time.</summary>
[TestFixture]
public sealed class ClientTransactionTests
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
    public void Invite_timer_A_doubles_without_cap_and_timer_B_times_out_with_408()
    {
        var invite = SipTestMessages.Request("INVITE");
        var tx = new ClientInviteTransaction(invite, FakeSender.Peer, _sender, _timers, _time);
        tx.Start();
        // §17.1.1.2: sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; Timer B at 32 s.
        var expected = new[] { 0.5, 1.0, 2.0, 4.0, 8.0, 16.0 };
        Assert.That(_sender.Sent, Has.Count.EqualTo(1));
        for (var i = 0; i < expected.Length; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(expected[i]) - TimeSpan.FromMilliseconds(1));
            Assert.That(_sender.Sent, Has.Count.EqualTo(i + 1), $"not before retransmission {i + 1}");
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.That(_sender.Sent, Has.Count.EqualTo(i + 2));
        }
        Assert.That(tx.FinalResponse.IsCompleted, Is.False);
        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Multiple(() =>
        {
            Assert.That(tx.FinalResponse.Result.StatusCode, Is.EqualTo(408));
            Assert.That(tx.State, Is.EqualTo(SipTransactionState.Terminated));
            Assert.That(tx.EndReason, Is.EqualTo(SipTransactionEnd.Timeout));
        });
    }

    [Test]
    public void Invite_over_tcp_is_not_retransmitted()
    {
        var tx = new ClientInviteTransaction(SipTestMessages.Request("INVITE"), FakeSender.TcpPeer, _sender, _timers, _time);
        tx.Start();
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.That(_sender.Sent, Has.Count.EqualTo(1));
    }

    [Test]
    public void Invite_provisional_stops_A_and_a_non_2xx_final_is_acked_and_absorbed_until_timer_D()
    {
        var invite = SipTestMessages.Request("INVITE");
        var table = new SipTransactionTable();
        var tx = new ClientInviteTransaction(invite, FakeSender.Peer, _sender, _timers, _time);
        table.TryAdd(tx);
        var provisionals = 0;
        tx.ProvisionalReceived += _ => provisionals++;
        tx.Start();
        tx.OnResponse(SipTestMessages.ResponseTo(invite, 180));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(_sender.Sent, Has.Count.EqualTo(1), "no retransmission in Proceeding");
        var busy = SipTestMessages.ResponseTo(invite, 486);
        tx.OnResponse(busy);
        tx.OnResponse(busy);
        var acks = _sender.Sent.Where(s => s.Message.Method == "ACK").Select(s => s.Message).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(provisionals, Is.EqualTo(1));
            Assert.That(tx.FinalResponse.Result.StatusCode, Is.EqualTo(486));
            Assert.That(acks, Has.Count.EqualTo(2), "the retransmitted 486 is ACKed again");
            // §17.1.1.3: the ACK keeps the INVITE's branch and takes the To tag of the response.
            Assert.That(acks[0].TopVia!.Branch, Is.EqualTo(invite.TopVia!.Branch));
            Assert.That(acks[0].ToTag, Is.EqualTo("remote"));
            Assert.That(acks[0].CSeq, Is.EqualTo(new SipCSeq(1, "ACK")));
            Assert.That(tx.State, Is.EqualTo(SipTransactionState.Completed));
        });
        _time.Advance(TimeSpan.FromSeconds(32));
        Assert.That(tx.State, Is.EqualTo(SipTransactionState.Terminated));
        Assert.That(table.Count, Is.Zero, "the table forgets a terminated transaction");
    }

    [Test]
    public void Invite_2xx_is_passed_up_and_its_retransmissions_too_until_timer_M()
    {
        var invite = SipTestMessages.Request("INVITE");
        var tx = new ClientInviteTransaction(invite, FakeSender.Peer, _sender, _timers, _time);
        var retransmitted = 0;
        tx.SuccessRetransmitted += _ => retransmitted++;
        tx.Start();
        var ok = SipTestMessages.ResponseTo(invite, 200);
        tx.OnResponse(ok);
        tx.OnResponse(ok);
        Assert.Multiple(() =>
        {
            Assert.That(tx.FinalResponse.Result.StatusCode, Is.EqualTo(200));
            Assert.That(retransmitted, Is.EqualTo(1));
            Assert.That(tx.State, Is.EqualTo(SipTransactionState.Accepted));
            Assert.That(_sender.Count(m => m.Method == "ACK"), Is.Zero, "the 2xx ACK is the dialog's, not the transaction's");
        });
        _time.Advance(_timers.TimeoutInterval);
        Assert.That(tx.State, Is.EqualTo(SipTransactionState.Terminated));
    }

    [Test]
    public void Non_invite_timer_E_caps_at_T2_and_timer_F_times_out()
    {
        var tx = new ClientNonInviteTransaction(SipTestMessages.Request("OPTIONS"), FakeSender.Peer, _sender, _timers, _time);
        tx.Start();
        // §17.1.2.2: 0.5, 1, 2, 4, 4, 4 … intervals.
        var times = new List<TimeSpan>();
        var last = _sender.Sent.Count;
        for (var ms = 0; ms < 31_000; ms += 50)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            if (_sender.Sent.Count != last)
            {
                times.Add(TimeSpan.FromMilliseconds(ms + 50));
                last = _sender.Sent.Count;
            }
        }
        var intervals = times.Zip(times.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(times[0].TotalSeconds, Is.EqualTo(0.5));
            Assert.That(intervals.Take(3), Is.EqualTo(new[] { 1.0, 2.0, 4.0 }));
            Assert.That(intervals.Skip(3), Is.All.EqualTo(4.0));
        });
        _time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.That(tx.FinalResponse.Result.StatusCode, Is.EqualTo(408));
    }

    [Test]
    public void Non_invite_final_response_moves_to_completed_then_timer_K_terminates()
    {
        var request = SipTestMessages.Request("OPTIONS");
        var tx = new ClientNonInviteTransaction(request, FakeSender.Peer, _sender, _timers, _time);
        tx.Start();
        tx.OnResponse(SipTestMessages.ResponseTo(request, 200));
        Assert.That(tx.State, Is.EqualTo(SipTransactionState.Completed));
        _time.Advance(_timers.T4);
        Assert.That(tx.State, Is.EqualTo(SipTransactionState.Terminated));
        Assert.That(_sender.Sent, Has.Count.EqualTo(1), "no retransmission after the final response");
    }
}
