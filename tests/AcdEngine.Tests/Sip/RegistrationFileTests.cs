using Hotline.AcdEngine.Sip;
using Hotline.Cti.Sip.Registrar;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.AcdEngine.Tests.Sip;

/// <summary>Phone registrations survive an engine restart, honouring their expiry (issue 20).</summary>
[TestFixture]
public sealed class RegistrationFileTests
{
    [Test]
    public void Bindings_saved_before_a_restart_come_back_except_those_that_expired_meanwhile()
    {
        var path = Path.Combine(Path.GetTempPath(), "hotline-reg-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
            var before = new SipBindings(time);
            var file = new RegistrationFile(path, NullLogger<RegistrationFile>.Instance);
            var saves = 0;
            before.Changed += () => { file.Save(before); saves++; };
            before.Update("1001", [("sip:1001@127.0.0.1:5062", 3600)], "call-a", 1, "127.0.0.1:5062", "baresip", 5);
            before.Update("1002", [("sip:1002@127.0.0.1:5064", 60)], "call-b", 1, "127.0.0.1:5064", "baresip", 5);
            Assert.That(saves, Is.EqualTo(2), "every REGISTER is saved");

            time.Advance(TimeSpan.FromMinutes(5)); // The engine was down 5 minutes: 1002's 60 s registration is gone.
            var after = new SipBindings(time);
            var restored = new RegistrationFile(path, NullLogger<RegistrationFile>.Instance).Load(after);

            Assert.That(restored, Is.EqualTo(1));
            var live = after.Lookup("1001");
            Assert.That(live.Select(b => (b.Contact, b.RemainingSeconds(time.GetUtcNow()))), Is.EqualTo(new[] { ("sip:1001@127.0.0.1:5062", 3300) }));
            Assert.That(after.Lookup("1002"), Is.Empty);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_damaged_file_is_ignored_not_fatal()
    {
        var path = Path.Combine(Path.GetTempPath(), "hotline-reg-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, "{ not json");
        try
        {
            Assert.That(new RegistrationFile(path, NullLogger<RegistrationFile>.Instance).Load(new SipBindings(TimeProvider.System)), Is.Zero);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
