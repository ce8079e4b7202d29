using System.ComponentModel.DataAnnotations;
using Hotline.TicketApi.Desk;

namespace Hotline.TicketApi.Tests.Desk;

/// <summary><c>Desk:Phone:*</c> (issue 18): validated at start, each bad value naming its key.</summary>
[TestFixture]
public sealed class DeskPhoneOptionsTests
{
    private static List<string?> Validate(DeskPhoneOptions phone)
    {
        var o = new DeskOptions { Phone = phone };
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(o, new ValidationContext(o), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage).ToList();
    }

    [Test]
    public void No_url_is_no_phone() =>
        Assert.That((Validate(new DeskPhoneOptions()), new DeskPhoneOptions().Enabled), Is.EqualTo((new List<string?>(), false)));

    [Test]
    public void A_wss_url_gives_the_csp_origin_and_the_domain()
    {
        var phone = new DeskPhoneOptions { WebSocketUrl = "wss://pbx.example.org:8089/sip", Users = { ["a1"] = "1001" } };
        Assert.That((Validate(phone), phone.Origin, phone.EffectiveDomain),
            Is.EqualTo((new List<string?>(), "wss://pbx.example.org:8089", "pbx.example.org")));
    }

    [TestCase("ws://pbx.example.org:8089/sip")]
    [TestCase("https://pbx.example.org/sip")]
    [TestCase("wss://user:pw@pbx.example.org/sip")]
    [TestCase("wss://pbx.example.org/sip?x=1")]
    [TestCase("pbx.example.org:8089")]
    public void Anything_but_a_plain_wss_url_is_refused_naming_the_key(string url) =>
        Assert.That(Validate(new DeskPhoneOptions { WebSocketUrl = url }), Has.One.Contains("Desk:Phone:WebSocketUrl"));

    [TestCase("")]
    [TestCase("1001@pbx")]
    [TestCase("10 01")]
    public void A_bad_sip_user_is_refused_naming_the_agent(string user) =>
        Assert.That(Validate(new DeskPhoneOptions { WebSocketUrl = "wss://127.0.0.1:8089/sip", Users = { ["a1"] = user } }),
            Has.One.Contains("Desk:Phone:Users:a1"));
}
