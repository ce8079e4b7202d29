using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.AcdEngine.Tests.Conference;

/// <summary>Ringing a department's contacts at once: first answer wins; the most telling failure is reported.</summary>
[TestFixture]
public sealed class ContactDialerTests
{
    private static readonly TimeSpan Ring = TimeSpan.FromSeconds(20);
    private readonly ObservableTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task The_first_contact_to_answer_wins_and_the_others_are_cancelled()
    {
        var phones = new FakeTelephony(_time);
        var dialing = Dialer(phones).DialFirstAsync("c-1", "water", ["2001", "2002"], "Hotline Water", Ring, Never, CancellationToken.None);
        var first = await phones.NextDialAsync();
        var second = await phones.NextDialAsync();
        Assert.That((first.Options.CallerId, first.Options.DisplayName, first.Options.Headers!["X-Hotline-Call"]), Is.EqualTo(("12345", "Hotline Water", "c-1")));
        second.Answer();

        var result = await dialing;
        Assert.That((result.Contact, result.Failure, result.SipStatus), Is.EqualTo(("2002", (string?)null, 200)));
        Assert.That(result.Leg, Is.SameAs(second.Leg));
        Assert.That((first.Cancelled, first.CompletedElsewhere), Is.EqualTo((true, true)), "the other phone: answered elsewhere, no missed call");
    }

    [Test]
    public async Task Busy_says_more_than_no_answer_and_its_status_is_kept()
    {
        var phones = new FakeTelephony(_time);
        var dialing = Dialer(phones).DialFirstAsync("c-1", "water", ["2001", "2002"], "Hotline Water", Ring, Never, CancellationToken.None);
        var first = await phones.NextDialAsync();
        await phones.NextDialAsync();
        first.Reject(486);
        _time.Advance(Ring); // The other one never answers: 408.

        var result = await dialing;
        Assert.That((result.Leg, result.Failure, result.SipStatus), Is.EqualTo(((Hotline.Cti.Calls.ICallLeg?)null, "busy", 486)));
    }

    [Test]
    public async Task Stopping_cancels_every_contact_and_reports_no_failure()
    {
        var phones = new FakeTelephony(_time);
        var abort = new TaskCompletionSource();
        var dialing = Dialer(phones).DialFirstAsync("c-1", "water", ["2001"], "Hotline Water", Ring, abort.Task, CancellationToken.None);
        var dial = await phones.NextDialAsync();
        abort.SetResult();

        Assert.That(await dialing, Is.EqualTo(ContactDialResult.Stopped));
        Assert.That((dial.Cancelled, dial.CompletedElsewhere), Is.EqualTo((true, false)), "nobody answered: a plain CANCEL");
    }

    [Test]
    public async Task Nobody_to_dial_is_unreachable_at_once() =>
        Assert.That(await Dialer(new FakeTelephony(_time)).DialFirstAsync("c-1", "water", [], "x", Ring, Never, CancellationToken.None),
            Is.EqualTo(new ContactDialResult(null, "", "unreachable", 480)));

    [TestCase(486, "busy")]
    [TestCase(600, "busy")]
    [TestCase(603, "declined")]
    [TestCase(408, "no-answer")]
    [TestCase(487, "no-answer")]
    [TestCase(0, "no-answer")]
    [TestCase(503, "unreachable")]
    public void A_sip_status_maps_to_a_transfer_failed_reason(int status, string reason) =>
        Assert.That(ContactDialer.FailureReason(status), Is.EqualTo(reason));

    private static Task Never => Task.Delay(Timeout.Infinite);

    private static ContactDialer Dialer(FakeTelephony phones) => new(phones, "12345", NullLogger.Instance);
}
