using System.ComponentModel.DataAnnotations;
using Hotline.TicketApi.Catalogue;
using Microsoft.Extensions.Configuration;

namespace Hotline.TicketApi.Tests.Catalogue;

/// <summary>Issue 23: the catalogue is data. Configured categories replace the built-in nine; a configured nature overrides its built-in entry.</summary>
[TestFixture]
public sealed class CatalogueOptionsTests
{
    private static CatalogueOptions Bind(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new CatalogueOptions();
        options.BindFrom(config.GetSection(CatalogueOptions.Section));
        return options;
    }

    [Test]
    public void Configured_categories_replace_the_built_in_list()
    {
        var o = Bind(new() { ["Catalogue:Categories:0"] = "roads", ["Catalogue:Categories:1"] = "water" });
        Assert.That(o.Categories, Is.EqualTo(new[] { "roads", "water" }));
        Assert.That(o.IsCategory("agriculture"), Is.False, "a built-in category is gone once a list is configured");
        Assert.That(o.IsCategory("roads/potholes"), Is.True);
        Assert.That(o.NotACategory("agriculture"), Does.Contain("roads, water"));
    }

    [Test]
    public void Without_configuration_the_built_in_catalogue_stands()
    {
        var o = Bind([]);
        Assert.That(o.Categories, Has.Count.EqualTo(9));
        Assert.That(o.FindNature("complaint")!.DeadlineWorkingDays, Is.EqualTo(3));
    }

    [Test]
    public void A_configured_nature_overrides_the_built_in_entry_and_keeps_its_unset_fields()
    {
        var o = Bind(new()
        {
            ["Catalogue:Natures:0:Code"] = "complaint", ["Catalogue:Natures:0:DeadlineWorkingDays"] = "8",
            ["Catalogue:Natures:1:Code"] = "report", ["Catalogue:Natures:1:DeadlineWorkingDays"] = "20",
            ["Catalogue:Natures:2:Code"] = "historical", ["Catalogue:Natures:2:DeadlineWorkingDays"] = "60", ["Catalogue:Natures:2:MajorDeadlineWorkingDays"] = "60",
        });
        Assert.Multiple(() =>
        {
            Assert.That(o.Natures.Count(n => n.Code == "complaint"), Is.EqualTo(1), "overridden, not added after the built-in one");
            Assert.That(o.FindNature("complaint")!.DeadlineWorkingDays, Is.EqualTo(8));
            Assert.That(o.FindNature("complaint")!.MajorDeadlineWorkingDays, Is.EqualTo(8), "major is never shorter than general");
            Assert.That(o.FindNature("report")!.ConfidentialReporter, Is.True, "an unset field keeps the built-in value");
            Assert.That(o.FindNature("historical")!.DeadlineWorkingDays, Is.EqualTo(60), "a new nature is added");
            Assert.That(o.FindNature("suggestion")!.DeadlineWorkingDays, Is.EqualTo(15), "the others stay");
        });
        Assert.That(Validate(o), Is.Empty);
    }

    [Test]
    public void BuiltInNatures_false_makes_the_configured_list_the_whole_list()
    {
        var o = Bind(new() { ["Catalogue:BuiltInNatures"] = "false", ["Catalogue:Natures:0:Code"] = "complaint", ["Catalogue:Natures:0:DeadlineWorkingDays"] = "5" });
        Assert.That(o.Natures.Select(n => n.Code), Is.EqualTo(new[] { "complaint" }));
    }

    [Test]
    public void A_bad_catalogue_names_the_key()
    {
        var o = Bind(new() { ["Catalogue:Categories:0"] = "roads/potholes", ["Catalogue:Natures:0:Code"] = "complaint", ["Catalogue:Natures:0:MajorDeadlineWorkingDays"] = "99" });
        var errors = Validate(o);
        Assert.That(errors, Has.Some.Contains("Catalogue:Categories").And.Some.Contains("MajorDeadlineWorkingDays"));
    }

    private static List<string> Validate(CatalogueOptions o) =>
        [.. o.Validate(new ValidationContext(o)).Select(r => r.ErrorMessage ?? "")];
}
