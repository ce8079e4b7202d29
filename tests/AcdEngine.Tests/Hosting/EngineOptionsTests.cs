using System.ComponentModel.DataAnnotations;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Tests.Hosting;

[TestFixture]
public sealed class EngineOptionsTests
{
    private static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Test]
    public void Defaults_are_valid_and_follow_the_domain()
    {
        var acd = new AcdOptions();
        Assert.Multiple(() =>
        {
            Assert.That(Validate(acd), Is.Empty);
            Assert.That(Validate(new TicketApiOptions { NodeKey = "a-node-key-0123456789" }), Is.Empty);
            // A node key has no safe default (issue 14): without one the engine does not start.
            Assert.That(Validate(new TicketApiOptions()).Select(r => r.ErrorMessage), Has.Some.Contains("TicketApi:NodeKey"));
            Assert.That(acd.HotlineNumber, Is.EqualTo("12345"));
            Assert.That(acd.ServiceLevelSeconds, Is.EqualTo(15), "DOMAIN.md: answered within 15 s");
        });
    }

    [TestCase("12 345")]
    [TestCase("")]
    [TestCase("hotline")]
    public void A_hotline_number_that_is_not_dial_digits_is_refused(string number)
    {
        var errors = Validate(new AcdOptions { HotlineNumber = number });
        Assert.That(errors.SelectMany(e => e.MemberNames), Does.Contain(nameof(AcdOptions.HotlineNumber)));
    }

    [Test]
    public void A_node_id_with_spaces_is_refused()
    {
        var errors = Validate(new NodeOptions { Id = "node one" });
        Assert.That(errors.Single().ErrorMessage, Does.Contain("Node:Id"));
    }
}
