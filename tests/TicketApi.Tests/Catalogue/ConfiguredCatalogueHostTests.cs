using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.TicketApi.Tests.Testing;

namespace Hotline.TicketApi.Tests.Catalogue;

/// <summary>Issue 23 through a real TicketApi process: a configured catalogue is the catalogue.</summary>
[TestFixture]
public sealed class ConfiguredCatalogueHostTests
{
    private TestClockHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _host = await TestClockHost.StartAsync(new Dictionary<string, string>
    {
        ["Catalogue:Categories:0"] = "urban-construction-environment",
        ["Catalogue:Categories:1"] = "water",
        ["Catalogue:Natures:0:Code"] = "complaint",
        ["Catalogue:Natures:0:DeadlineWorkingDays"] = "8",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task A_category_outside_the_configured_list_is_a_400_naming_the_list()
    {
        var response = await _host.Admin.PostAsJsonAsync("/api/workorders", new { channel = "Phone", kind = "Matter", content = "x", nature = "complaint", category = "agriculture" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("urban-construction-environment, water"));
        var list = await _host.Admin.GetFromJsonAsync<JsonElement>("/api/workorders?pageSize=200");
        Assert.That(list.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("content").GetString()), Does.Not.Contain("x"), "nothing stored");
        var ok = await _host.Admin.PostAsJsonAsync("/api/workorders", new { channel = "Phone", kind = "Matter", content = "leak", nature = "complaint", category = "water/leaks" });
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var catalogue = await _host.Admin.GetFromJsonAsync<JsonElement>("/console/api/catalogue");
        Assert.That(catalogue.GetProperty("categories").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public async Task A_configured_complaint_deadline_of_8_working_days_is_the_one_applied()
    {
        var monday = await _host.MondayMorningAsync();
        var order = await _host.DispatchedComplaintAsync("complaint under a city's own deadline");
        var expected = Fixtures.Rules.ReplyDeadline(monday.UtcDateTime, 8);
        Assert.That(order.GetProperty("deadlineAt").GetDateTime().ToUniversalTime(), Is.EqualTo(expected));
        Assert.That(expected, Is.Not.EqualTo(Fixtures.Rules.ReplyDeadline(monday.UtcDateTime, 3)));
    }
}
