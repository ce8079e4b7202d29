using System.ComponentModel.DataAnnotations;
using Hotline.TicketApi.WebConsole;
using Hotline.TicketApi.Engine;

namespace Hotline.TicketApi.Tests.Console;

[TestFixture]
public sealed class AcdEngineOptionsTests
{
    private static List<ValidationResult> Validate(AcdEngineOptions o)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(o, new ValidationContext(o), results, validateAllProperties: true);
        return results;
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("http://127.0.0.1:5081")]
    [TestCase("https://acd.example:5081/")]
    public void Empty_or_an_http_url_is_accepted(string? url) =>
        Assert.That(Validate(new AcdEngineOptions { Url = url, ServiceKey = "a-service-key-0123456789" }), Is.Empty);

    [Test]
    public void An_engine_url_needs_the_service_key_the_engine_knows_tickets_by() =>
        Assert.That(Validate(new AcdEngineOptions { Url = "http://127.0.0.1:5081" }).Select(r => r.ErrorMessage), Has.One.Contains("AcdEngine:ServiceKey"));

    [TestCase("127.0.0.1:5081")]
    [TestCase("ftp://127.0.0.1")]
    [TestCase("not a url")]
    public void Anything_else_is_refused_naming_the_key(string url) =>
        Assert.That(Validate(new AcdEngineOptions { Url = url, ServiceKey = "a-service-key-0123456789" }).Select(r => r.ErrorMessage), Has.One.Contains("AcdEngine:Url"));

    [Test]
    public void The_reconnect_ceiling_is_bounded() =>
        Assert.That(Validate(new AcdEngineOptions { ReconnectMaxSeconds = 0 }), Has.Count.EqualTo(1));
}
