using System.Net;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.Console;

public sealed partial class ConsoleTests
{
    [Test]
    public async Task New_order_form_shows_the_APIs_errors_next_to_each_field_then_registers_the_order()
    {
        var agentKey = await CreateKeyAsync("agent", "agent");
        await Chromium.SignInAsync(_page, _host.HttpUrl, agentKey, "/orders");
        await _page.Locator("#new-order-open").ClickAsync();
        var form = _page.Locator("#new-order");
        await Expect(form.Locator("select[name=nature] option[value=report]")).ToHaveCountAsync(1);   // from the catalogue

        await form.Locator("button[type=submit]").ClickAsync();   // empty: the API says what is missing, per field
        await Expect(form.Locator(".error[data-for=channel]")).ToContainTextAsync("channel is required");
        await Expect(form.Locator(".error[data-for=content]")).ToContainTextAsync("content");
        await Expect(form.Locator(".error[data-for=nature]")).ToBeEmptyAsync();
        await Expect(_page).ToHaveURLAsync(new Uri(_host.HttpUrl, "/orders").ToString());

        await form.Locator("select[name=channel]").SelectOptionAsync("Sms");
        await Expect(form.Locator(".error[data-for=channel]")).ToBeEmptyAsync();   // an edited field's error goes
        await form.Locator("select[name=nature]").SelectOptionAsync("report");
        await Expect(form.Locator("input[name=confidential]")).ToBeCheckedAsync();   // a report's reporter is confidential
        await form.Locator("select[name=category]").SelectOptionAsync("finance-tax-market");
        await form.Locator("textarea[name=content]").FillAsync("A shop sells expired milk at 3 Market Street (by SMS)");
        await form.Locator("input[name=callerName]").FillAsync("Han Mei");
        await form.Locator("input[name=callerNumber]").FillAsync("13900005678");
        await form.Locator("input[name=address]").FillAsync("3 Market Street");
        await _page.ScreenshotAsync(new() { Path = Chromium.Screenshot("new-order"), FullPage = true });
        await form.Locator("button[type=submit]").ClickAsync();

        await _page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/orders/\\d+$"));
        await Expect(_page.Locator("#status")).ToHaveTextAsync("Registered");
        await Expect(_page.Locator("dl.details")).ToContainTextAsync("Sms");
        await Expect(_page.Locator("dl.details")).ToContainTextAsync("report");
        await Expect(_page.Locator("p.content, dl.details").First).ToBeVisibleAsync();
        await Expect(_page.Locator("body")).ToContainTextAsync("expired milk");
    }

    [Test]
    public async Task Nature_filter_lists_only_orders_of_that_nature_across_the_whole_list()
    {
        using var agent = Client(await CreateKeyAsync("agent", "agent"));
        var praise = await RegisterOrderAsync(agent, "Thanks to the bus driver of line 5", nature: "praise");
        var complaint = await RegisterOrderAsync(agent, "Bus line 5 skipped my stop", nature: "complaint");

        // The API filters (not the page): an unknown nature is a clear 400 naming the field.
        using (var bad = await agent.GetAsync("/api/workorders?nature=gossip"))
        {
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("nature 'gossip' is not in the catalogue"));
        }

        await Chromium.SignInAsync(_page, _host.HttpUrl, AdminKey, "/orders");
        await _page.Locator("#filters select[name=nature]").SelectOptionAsync("praise");
        await _page.Locator("#filters button[type=submit]").ClickAsync();
        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("nature=praise"));
        await Expect(_page.Locator($"tr[data-id='{praise}']")).ToHaveCountAsync(1);
        await Expect(_page.Locator($"tr[data-id='{complaint}']")).ToHaveCountAsync(0);
        var natures = await _page.Locator("#rows tr[data-id] td:nth-child(4)").AllTextContentsAsync();
        Assert.That(natures, Is.Not.Empty.And.All.EqualTo("praise"));
        await Expect(_page.Locator("#filters select[name=nature]")).ToHaveValueAsync("praise");
    }
}
