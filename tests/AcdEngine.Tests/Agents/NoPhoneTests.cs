using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Tests.Fakes;

namespace Hotline.AcdEngine.Tests.Agents;

/// <summary>An agent whose phone is not registered is never Ready (issue 20): they show "not ready (no phone)".</summary>
[TestFixture]
public sealed class NoPhoneTests
{
    [Test]
    public void Without_a_registered_phone_an_agent_shows_not_ready_no_phone_and_becomes_ready_when_it_registers()
    {
        using var acd = new AcdHarness();
        var registered = new HashSet<string>(StringComparer.Ordinal);
        acd.Roster.PhoneRegistered = registered.Contains;

        acd.Roster.SignIn("a1", ready: true);
        Assert.That((acd.Roster.Get("a1").State, acd.Roster.Get("a1").Reason), Is.EqualTo((AgentState.NotReady, AgentRoster.NoPhone)));
        Assert.That(acd.Roster.TryReserve("a1", "c-1"), Is.False, "no call is put through to a phone that cannot ring");
        acd.Roster.SetReady("a1");
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.NotReady), "asking to be ready does not help without a phone");

        registered.Add(acd.Roster.Get("a1").User);
        acd.Roster.PhonesChanged();
        Assert.That(acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready), "the phone registered: ready");

        registered.Clear();
        acd.Roster.PhonesChanged();
        Assert.That((acd.Roster.Get("a1").State, acd.Roster.Get("a1").Reason), Is.EqualTo((AgentState.NotReady, AgentRoster.NoPhone)), "unregistered: not ready again");
    }

    [Test]
    public void An_agent_not_ready_for_another_reason_is_not_made_ready_by_a_registration()
    {
        using var acd = new AcdHarness();
        var registered = new HashSet<string>(StringComparer.Ordinal);
        acd.Roster.PhoneRegistered = registered.Contains;
        acd.Roster.SignIn("a1", ready: false);
        acd.Roster.SetNotReady("a1", "break");
        registered.Add(acd.Roster.Get("a1").User);
        acd.Roster.PhonesChanged();
        Assert.That((acd.Roster.Get("a1").State, acd.Roster.Get("a1").Reason), Is.EqualTo((AgentState.NotReady, "break")));
    }
}
