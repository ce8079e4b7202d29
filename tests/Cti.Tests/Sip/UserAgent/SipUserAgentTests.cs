using System.Text;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.Cti.Tests.Sip.UserAgent;

/// <summary>The user-agent core with an in-process transport: INVITE sessions both ways, CANCEL, BYE, INFO.</summary>
[TestFixture]
public sealed class SipUserAgentTests
{
    private FakeTimeProvider _time = null!;
    private FakeSender _sender = null!;
    private SipUserAgent _ua = null!;

    [SetUp]
    public void Fresh()
    {
        _time = new FakeTimeProvider();
        _sender = new FakeSender();
        _ua = new SipUserAgent(_sender, new SipUserAgentOptions(), _time, NullLogger<SipUserAgent>.Instance);
    }

    private IncomingInviteSession ReceiveInvite(string branch = "z9hG4bKinv")
    {
        IncomingInviteSession? session = null;
        _ua.IncomingCall += (_, e) => session = e.Session;
        _ua.Receive(SipTestMessages.Request("INVITE", branch: branch, body: "v=0\r\n"), FakeSender.Peer);
        Assert.That(session, Is.Not.Null);
        return session!;
    }

    [Test]
    public async Task Answered_invite_is_confirmed_by_ack_and_ended_by_bye()
    {
        var session = ReceiveInvite();
        Assert.That(session.OfferBody.ToArray(), Is.EqualTo("v=0\r\n"u8.ToArray()));
        Assert.That(_sender.Sent[0].Message.StatusCode, Is.EqualTo(100));
        var answered = session.AcceptAsync("v=0 answer"u8.ToArray());
        var ok = _sender.Last(m => m.StatusCode == 200);
        Assert.That(ok.BodyText, Is.EqualTo("v=0 answer"));
        Assert.That(ok.ToTag, Is.EqualTo(session.LocalTag));
        Assert.That(answered.IsCompleted, Is.False, "waits for the ACK");

        _ua.Receive(SipTestMessages.Request("ACK", branch: "z9hG4bKack", toTag: session.LocalTag), FakeSender.Peer);
        Assert.That(await answered, Is.True);
        Assert.That(session.State, Is.EqualTo(SipSessionState.Connected));
        Assert.That(_ua.SessionCount, Is.EqualTo(1));

        SipSessionEndedEventArgs? ended = null;
        session.Ended += (_, e) => ended = e;
        _ua.Receive(SipTestMessages.Request("BYE", branch: "z9hG4bKbye", cseq: 2, toTag: session.LocalTag), FakeSender.Peer);
        Assert.Multiple(() =>
        {
            Assert.That(ended?.Reason, Is.EqualTo(SipSessionEndReason.RemoteBye));
            Assert.That(_sender.Last(m => m.CSeq.Method == "BYE").StatusCode, Is.EqualTo(200));
            Assert.That(_ua.SessionCount, Is.Zero);
        });
    }

    [Test]
    public async Task Unacknowledged_2xx_ends_the_session_with_bye_after_64_T1()
    {
        var session = ReceiveInvite();
        var answered = session.AcceptAsync("v=0"u8.ToArray());
        _time.Run(TimeSpan.FromSeconds(33));
        Assert.That(await answered, Is.False);
        Assert.That(_sender.Count(m => m.Method == "BYE"), Is.EqualTo(1));
        Assert.That(_sender.Count(m => m.StatusCode == 200), Is.GreaterThan(5), "the 2xx was retransmitted meanwhile");
    }

    [Test]
    public void Cancel_before_answer_gets_200_and_the_invite_487()
    {
        var session = ReceiveInvite(branch: "z9hG4bKcancelme");
        session.SendProvisional(180);
        var cancelled = false;
        session.Cancelled += (_, _) => cancelled = true;
        _ua.Receive(SipTestMessages.Request("CANCEL", branch: "z9hG4bKcancelme"), FakeSender.Peer);
        Assert.Multiple(() =>
        {
            Assert.That(_sender.Last(m => m.CSeq.Method == "CANCEL").StatusCode, Is.EqualTo(200));
            Assert.That(_sender.Last(m => m.CSeq.Method == "INVITE" && m.StatusCode >= 200).StatusCode, Is.EqualTo(487));
            Assert.That(_sender.Last(m => m.StatusCode == 487).ToTag, Is.EqualTo(session.LocalTag));
            Assert.That(cancelled, Is.True);
            Assert.That(session.State, Is.EqualTo(SipSessionState.Ended));
            Assert.That(() => session.AcceptAsync("v=0"u8.ToArray()), Throws.InvalidOperationException);
        });
        _ua.Receive(SipTestMessages.Request("CANCEL", branch: "z9hG4bKnothing"), FakeSender.Peer);
        Assert.That(_sender.Last(m => m.CSeq.Method == "CANCEL").StatusCode, Is.EqualTo(481));
    }

    [Test]
    public async Task Info_with_dtmf_relay_reaches_the_session_and_is_answered_200()
    {
        var session = ReceiveInvite();
        _ = session.AcceptAsync("v=0"u8.ToArray());
        _ua.Receive(SipTestMessages.Request("ACK", branch: "z9hG4bKack", toTag: session.LocalTag), FakeSender.Peer);
        string? body = null;
        session.InfoReceived += (_, e) => body = e.Request.Message.BodyText;
        var info = SipTestMessages.Request("INFO", branch: "z9hG4bKinfo", cseq: 2, toTag: session.LocalTag, body: "Signal=5\r\nDuration=160\r\n");
        _ua.Receive(info, FakeSender.Peer);
        Assert.That(body, Does.Contain("Signal=5"));
        Assert.That(_sender.Last(m => m.CSeq.Method == "INFO").StatusCode, Is.EqualTo(200));
        // §12.2.2: a lower CSeq in the dialog is refused.
        _ua.Receive(SipTestMessages.Request("INFO", branch: "z9hG4bKinfo0", cseq: 1, toTag: session.LocalTag), FakeSender.Peer);
        Assert.That(_sender.Last(m => m.CSeq.Method == "INFO").StatusCode, Is.EqualTo(500));
        var bye = session.HangupAsync();
        var sentBye = _sender.Last(m => m.Method == "BYE");
        Assert.That(sentBye.ToTag, Is.EqualTo("peer"));
        Assert.That(sentBye.RequestUriText, Is.EqualTo("sip:peer@127.0.0.1:5070"), "in-dialog requests go to the remote target");
        _ua.Receive(SipTestMessages.ResponseTo(sentBye, 200, toTag: null), FakeSender.Peer);
        Assert.That((await bye)!.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public void Request_in_an_unknown_dialog_gets_481_and_unknown_scheme_416()
    {
        _ua.Receive(SipTestMessages.Request("BYE", toTag: "nobody"), FakeSender.Peer);
        Assert.That(_sender.Last(m => m.IsResponse).StatusCode, Is.EqualTo(481));
        _ua.Receive(SipTestMessages.Request("OPTIONS", branch: "z9hG4bKtel", uri: "tel:+1-201-555-0123"), FakeSender.Peer);
        Assert.That(_sender.Last(m => m.IsResponse).StatusCode, Is.EqualTo(416));
    }

    [Test]
    public async Task Outbound_invite_reports_ringing_acks_the_2xx_and_can_hang_up()
    {
        var session = _ua.Invite(new InviteRequest
        {
            Target = SipUri.Parse("sip:1001@127.0.0.1:5070"),
            FromUser = "hotline",
            Body = Encoding.ASCII.GetBytes("v=0 offer"),
        });
        var invite = _sender.Last(m => m.Method == "INVITE");
        Assert.That(invite.BodyText, Is.EqualTo("v=0 offer"));
        var rang = 0;
        session.ProvisionalReceived += (_, _) => rang++;
        _ua.Receive(SipTestMessages.ResponseTo(invite, 180), FakeSender.Peer);
        var ok = SipTestMessages.ResponseTo(invite, 200);
        _ua.Receive(ok, FakeSender.Peer);
        var answer = await session.Answer;
        Assert.Multiple(() =>
        {
            Assert.That(rang, Is.EqualTo(1));
            Assert.That(answer.StatusCode, Is.EqualTo(200));
            Assert.That(session.State, Is.EqualTo(SipSessionState.Connected));
            Assert.That(_sender.Count(m => m.Method == "ACK"), Is.EqualTo(1));
            Assert.That(_sender.Last(m => m.Method == "ACK").CSeq, Is.EqualTo(new SipCSeq(invite.CSeq.Number, "ACK")));
        });
        _ua.Receive(ok, FakeSender.Peer);
        Assert.That(_sender.Count(m => m.Method == "ACK"), Is.EqualTo(2), "a retransmitted 2xx is ACKed again");
        _ = session.HangupAsync();
        var bye = _sender.Last(m => m.Method == "BYE");
        Assert.That(bye.CSeq.Number, Is.GreaterThan(invite.CSeq.Number));
        Assert.That(bye.ToTag, Is.EqualTo("remote"));
    }

    [Test]
    public async Task Outbound_cancel_waits_for_a_provisional_then_ends_with_487()
    {
        var session = _ua.Invite(new InviteRequest { Target = SipUri.Parse("sip:1002@127.0.0.1:5070") });
        var invite = _sender.Last(m => m.Method == "INVITE");
        session.Cancel();
        Assert.That(_sender.Count(m => m.Method == "CANCEL"), Is.Zero, "§9.1: not before a provisional");
        _ua.Receive(SipTestMessages.ResponseTo(invite, 100, toTag: null), FakeSender.Peer);
        var cancel = _sender.Last(m => m.Method == "CANCEL");
        Assert.That(cancel.TopVia!.Branch, Is.EqualTo(invite.TopVia!.Branch));
        _ua.Receive(SipTestMessages.ResponseTo(invite, 487), FakeSender.Peer);
        Assert.That((await session.Answer).StatusCode, Is.EqualTo(487));
        Assert.That(session.State, Is.EqualTo(SipSessionState.Ended));
    }

    [Test]
    public void Re_invite_is_answered_with_the_last_sdp_and_confirmed_by_its_ack()
    {
        var session = ReceiveInvite();
        _ = session.AcceptAsync("v=0 mine"u8.ToArray());
        _ua.Receive(SipTestMessages.Request("ACK", branch: "z9hG4bKack", toTag: session.LocalTag), FakeSender.Peer);
        var seen = 0;
        session.ReInviteReceived += (_, _) => seen++;
        var reinvite = SipTestMessages.Request("INVITE", branch: "z9hG4bKre", cseq: 2, toTag: session.LocalTag, body: "v=0 hold\r\n");
        _ua.Receive(reinvite, FakeSender.Peer);
        var ok = _sender.Last(m => m.StatusCode == 200 && m.CSeq.Number == 2);
        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.EqualTo(1));
            Assert.That(ok.BodyText, Is.EqualTo("v=0 mine"));
            Assert.That(ok.ToTag, Is.EqualTo(session.LocalTag));
        });
        _ua.Receive(SipTestMessages.Request("ACK", branch: "z9hG4bKreack", cseq: 2, toTag: session.LocalTag), FakeSender.Peer);
        _time.Run(TimeSpan.FromSeconds(5));
        Assert.That(_sender.Count(m => m.StatusCode == 200 && m.CSeq.Number == 2), Is.EqualTo(1), "ACKed at once: no retransmission");
        Assert.That(session.State, Is.EqualTo(SipSessionState.Connected));
    }

    /// <summary>
    /// The soak of 5 Dec 2026: the ACD gave up on an agent's dial (the caller left) as the agent's 2xx arrived, saw the
    /// session Connected and hung up while the 2xx's handler was still between its state change and the ACK. The BYE
    /// went out first (the phone, waiting for the ACK, dropped the call as a stray), and a hang-up that came before
    /// the handler put the dialog in the core's table left a dead session there for good. Here the ACK's send is held
    /// up while another thread hangs up the moment the session says Connected: the BYE must wait for the ACK, and the
    /// ended session must be gone from the table.
    /// </summary>
    [Test]
    public async Task A_hang_up_racing_the_2xx_waits_for_its_ack_and_leaves_no_session_behind()
    {
        var session = _ua.Invite(new InviteRequest { Target = SipUri.Parse("sip:1003@127.0.0.1:5070") });
        var invite = _sender.Last(m => m.Method == "INVITE");
        _ua.Receive(SipTestMessages.ResponseTo(invite, 180), FakeSender.Peer);
        // The hang-up returns once its BYE is out (the BYE's answer never comes here).
        var hangup = _sender.RaceWhileSending("ACK", () => { _ = session.HangupAsync(); }, until: "BYE");
        _ua.Receive(SipTestMessages.ResponseTo(invite, 200), FakeSender.Peer);
        Assert.That(session.Answer.Wait(TimeSpan.FromSeconds(10)), Is.True, "the 2xx was handled");
        Assert.That(hangup.IsCompleted, Is.True, "the 2xx was ACKed");
        Assert.That((await hangup).Wait(TimeSpan.FromSeconds(10)), Is.True);
        var order = _sender.Sent.Select(s => s.Message.Method).Where(m => m is "ACK" or "BYE").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(order, Is.EqualTo(new[] { "ACK", "BYE" }), "the ACK before the BYE");
            Assert.That(session.State, Is.EqualTo(SipSessionState.Ended));
            Assert.That(_ua.SessionCount, Is.Zero);
        });
    }

    /// <summary>
    /// The ACD's CANCEL crossing the agent's 2xx: either the CANCEL goes out before the 2xx is handled (and the ACK
    /// follows it), or the 2xx wins and no CANCEL is sent (the session hangs up with BYE) — never a CANCEL after the
    /// ACK, which the phone, its INVITE transaction over, can only answer 481 (sipp dropped such calls as strays).
    /// </summary>
    [Test]
    public async Task A_cancel_crossing_the_2xx_never_follows_the_ack()
    {
        var session = _ua.Invite(new InviteRequest { Target = SipUri.Parse("sip:1004@127.0.0.1:5070") });
        var invite = _sender.Last(m => m.Method == "INVITE");
        _ua.Receive(SipTestMessages.ResponseTo(invite, 180), FakeSender.Peer);
        // The 2xx arrives while our CANCEL is on its way out.
        var answer = _sender.RaceWhileSending("CANCEL", () => _ua.Receive(SipTestMessages.ResponseTo(invite, 200), FakeSender.Peer), until: "ACK");
        session.Cancel();
        Assert.That(answer.IsCompleted, Is.True, "the CANCEL was sent");
        Assert.That((await answer).Wait(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That((await session.Answer).StatusCode, Is.EqualTo(200));
        var order = _sender.Sent.Select(s => s.Message.Method).Where(m => m is "CANCEL" or "ACK" or "BYE").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(order, Is.EqualTo(new[] { "CANCEL", "ACK", "BYE" }), "the CANCEL first; the 2xx that crossed it ACKed, then BYE (§9.1)");
            Assert.That(session.State, Is.EqualTo(SipSessionState.Ended));
            Assert.That(_ua.SessionCount, Is.Zero);
        });
    }

    /// <summary>
    /// A CANCEL handled on another receive loop between the INVITE's transaction (its 100 Trying out) and the session
    /// being findable: its 487 went out with no session told. The session must end there, not be offered as a call
    /// that can neither be answered nor rejected (its leg and media held for good).
    /// </summary>
    [Test]
    public void A_cancel_that_overtakes_the_invites_session_ends_it_before_it_is_offered()
    {
        var offered = 0;
        _ua.IncomingCall += (_, _) => offered++;
        _sender.BeforeSend = m =>
        {
            // The CANCEL arrives as the 100 Trying leaves (re-entered on this thread: the INVITE's session is not yet registered).
            if (m.StatusCode == 100 && m.CSeq.Method == "INVITE")
            {
                _sender.BeforeSend = null;
                _ua.Receive(SipTestMessages.Request("CANCEL", branch: "z9hG4bKearly"), FakeSender.Peer);
            }
        };
        _ua.Receive(SipTestMessages.Request("INVITE", branch: "z9hG4bKearly", body: "v=0\r\n"), FakeSender.Peer);
        Assert.Multiple(() =>
        {
            Assert.That(offered, Is.Zero, "a cancelled INVITE is not offered");
            Assert.That(_sender.Count(m => m.CSeq.Method == "INVITE" && m.StatusCode == 487), Is.EqualTo(1));
            Assert.That(_sender.Last(m => m.CSeq.Method == "CANCEL").StatusCode, Is.EqualTo(200));
        });
    }

    /// <summary>
    /// A leg hung up after the core answered its INVITE 487 without it (the race above, from the leg's side): Reject
    /// finds the INVITE answered; the session must still end, or the leg waits for an end that never comes.
    /// </summary>
    [Test]
    public void Rejecting_an_invite_the_core_already_answered_ends_the_session()
    {
        var session = ReceiveInvite(branch: "z9hG4bKlate");
        session.Transaction.IsCancelled = true;
        session.Transaction.SendResponse(session.Transaction.CreateResponse(487, null, session.LocalTag));
        session.Reject(480);
        Assert.Multiple(() =>
        {
            Assert.That(session.EndedWith?.Reason, Is.EqualTo(SipSessionEndReason.Cancelled));
            Assert.That(_sender.Count(m => m.StatusCode == 480), Is.Zero, "no second final response");
        });
    }

    /// <summary>
    /// RFC 3261 §15.1.2: a BYE on the early dialog (after our 180, before any final answer) ends the call, and the
    /// INVITE still pending is answered 487 — before, it waited in its server transaction for good.
    /// </summary>
    [Test]
    public void A_bye_on_the_early_dialog_is_answered_and_the_pending_invite_gets_487()
    {
        var session = ReceiveInvite(branch: "z9hG4bKearlybye");
        session.SendProvisional(180);
        _ua.Receive(SipTestMessages.Request("BYE", branch: "z9hG4bKbye1", cseq: 2, toTag: session.LocalTag), FakeSender.Peer);
        Assert.Multiple(() =>
        {
            Assert.That(_sender.Last(m => m.CSeq.Method == "BYE").StatusCode, Is.EqualTo(200));
            Assert.That(_sender.Last(m => m.CSeq.Method == "INVITE").StatusCode, Is.EqualTo(487));
            Assert.That(session.EndedWith?.Reason, Is.EqualTo(SipSessionEndReason.RemoteBye));
            Assert.That(session.Transaction.IsAnswered, Is.True);
            Assert.That(() => session.AcceptAsync("v=0"u8.ToArray()), Throws.InvalidOperationException);
        });
    }

    /// <summary>
    /// The caller's BYE handled before its ACK (the two on different receive loops): the BYE shows our 200 arrived, so
    /// the 200 is no longer retransmitted at a caller who has gone, and the answer completes at once, not after 64*T1.
    /// </summary>
    [Test]
    public async Task A_bye_before_the_ack_counts_as_the_ack()
    {
        var session = ReceiveInvite(branch: "z9hG4bKbyefirst");
        var answered = session.AcceptAsync("v=0"u8.ToArray());
        _ua.Receive(SipTestMessages.Request("BYE", branch: "z9hG4bKbye2", cseq: 2, toTag: session.LocalTag), FakeSender.Peer);
        // No virtual time passes: only the BYE can complete it (a real-time bound, as the continuation runs on the pool).
        Assert.That(await answered.WaitAsync(TimeSpan.FromSeconds(10)), Is.True, "the answer completes on the BYE");
        var oks = _sender.Count(m => m.StatusCode == 200 && m.CSeq.Method == "INVITE");
        _time.Run(TimeSpan.FromSeconds(5));
        Assert.Multiple(() =>
        {
            Assert.That(_sender.Count(m => m.StatusCode == 200 && m.CSeq.Method == "INVITE"), Is.EqualTo(oks), "no 200 retransmitted after the BYE");
            Assert.That(session.EndedWith?.Reason, Is.EqualTo(SipSessionEndReason.RemoteBye));
            Assert.That(_ua.SessionCount, Is.Zero);
        });
    }

    /// <summary>Completes with the first BYE the core sends (it leaves on a pool thread once the ACK is in).</summary>
    private Task<SipMessage> NextBye()
    {
        var bye = new TaskCompletionSource<SipMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _sender.BeforeSend = m =>
        {
            if (m.Method == "BYE") bye.TrySetResult(m);
        };
        return bye.Task;
    }

    /// <summary>
    /// RFC 3261 §15: the callee must not send BYE on a confirmed dialog before the ACK of its 2xx. A hang-up in that
    /// window ends the session for its users at once; the BYE leaves only when the ACK came, and then at once.
    /// </summary>
    [Test]
    public async Task A_callee_hanging_up_before_the_ack_ends_at_once_and_sends_its_bye_when_the_ack_comes()
    {
        var session = ReceiveInvite(branch: "z9hG4bKbyewaits");
        var answered = session.AcceptAsync("v=0"u8.ToArray());
        var bye = NextBye();
        var hangup = session.HangupAsync();
        Assert.Multiple(() =>
        {
            Assert.That(session.EndedWith?.Reason, Is.EqualTo(SipSessionEndReason.LocalBye), "ended for its users at once");
            Assert.That(session.State, Is.EqualTo(SipSessionState.Ended));
            Assert.That(_sender.Count(m => m.Method == "BYE"), Is.Zero, "no BYE before the ACK");
            Assert.That(_ua.SessionCount, Is.EqualTo(1), "the dialog is kept so the ACK finds it");
        });
        var info = SipTestMessages.Request("INFO", branch: "z9hG4bKinfo", cseq: 2, toTag: session.LocalTag);
        _ua.Receive(info, FakeSender.Peer);
        Assert.That(_sender.Last(m => m.CSeq.Method == "INFO").StatusCode, Is.EqualTo(481), "nothing but the ACK or a BYE is served");

        _ua.Receive(SipTestMessages.Request("ACK", branch: "z9hG4bKack", toTag: session.LocalTag), FakeSender.Peer);
        var sent = await bye.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(await answered.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        _ua.Receive(SipTestMessages.ResponseTo(sent, 200, toTag: null), FakeSender.Peer);
        Assert.That((await hangup.WaitAsync(TimeSpan.FromSeconds(10)))?.StatusCode, Is.EqualTo(200));
        var order = _sender.Sent.Select(s => s.Message.Method ?? s.Message.CSeq.Method + " " + s.Message.StatusCode).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sent.ToTag, Is.EqualTo("peer"), "the BYE is in the dialog: the caller's tag is its To tag");
            Assert.That(sent.FromTag, Is.EqualTo(session.LocalTag));
            Assert.That(_ua.SessionCount, Is.Zero, "released once the BYE is out");
            Assert.That(order.IndexOf("BYE"), Is.GreaterThan(order.LastIndexOf("INVITE 200")), string.Join(", ", order));
        });
    }

    /// <summary>§15 and §13.3.1.4: with no ACK at all, the waiting BYE leaves when the INVITE transaction times out.</summary>
    [Test]
    public async Task A_callee_hanging_up_before_an_ack_that_never_comes_sends_its_bye_at_timer_h()
    {
        var session = ReceiveInvite(branch: "z9hG4bKbyetimerh");
        var answered = session.AcceptAsync("v=0"u8.ToArray());
        var bye = NextBye();
        _ = session.HangupAsync();
        _time.Run(TimeSpan.FromSeconds(31));
        Assert.That(_sender.Count(m => m.Method == "BYE"), Is.Zero, "still inside 64*T1");
        _time.Run(TimeSpan.FromSeconds(2));
        await bye.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(await answered.WaitAsync(TimeSpan.FromSeconds(10)), Is.False);
        Assert.Multiple(() =>
        {
            Assert.That(_sender.Count(m => m.Method == "BYE"), Is.EqualTo(1), "one BYE: the answer's own time-out hang-up finds the session ended");
            Assert.That(session.EndedWith?.Reason, Is.EqualTo(SipSessionEndReason.LocalBye));
            Assert.That(_ua.SessionCount, Is.Zero);
        });
    }

    /// <summary>The caller's BYE crossing our waiting one: it is answered 200, and ours is never sent.</summary>
    [Test]
    public async Task A_callee_hanging_up_before_the_ack_sends_no_bye_when_the_callers_bye_comes_first()
    {
        var session = ReceiveInvite(branch: "z9hG4bKbyecross");
        _ = session.AcceptAsync("v=0"u8.ToArray());
        var hangup = session.HangupAsync();
        _ua.Receive(SipTestMessages.Request("BYE", branch: "z9hG4bKtheirbye", cseq: 2, toTag: session.LocalTag), FakeSender.Peer);
        Assert.That(await hangup.WaitAsync(TimeSpan.FromSeconds(10)), Is.Null, "nothing left to end");
        Assert.Multiple(() =>
        {
            Assert.That(_sender.Last(m => m.CSeq.Method == "BYE").StatusCode, Is.EqualTo(200));
            Assert.That(_sender.Count(m => m.Method == "BYE"), Is.Zero);
            Assert.That(session.EndedWith?.Reason, Is.EqualTo(SipSessionEndReason.LocalBye), "ended by us first, raised once");
            Assert.That(_ua.SessionCount, Is.Zero);
        });
    }
}
