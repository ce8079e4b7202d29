using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.EndToEnd.Tests.Conference;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.WebRtc;

/// <summary>
/// The desk phone's outbound calls (issue 18): the browser places the INVITE itself (JsSIP <c>ua.call</c>) and the engine
/// routes it by its dial plan like a softphone's (<c>OutboundDialer.TryTakeSoftphoneCall</c>) to <c>Outbound:Gateway</c>
/// — here a baresip playing 1,300 Hz whose account is the dialled number. And the desk's "Call back" (CTI <c>Dial</c>)
/// rings the agent's newest binding: the browser, not the softphone that registered before it.
/// </summary>
public sealed partial class DeskPhoneTests
{
    private const string CalledNumber = "13900139000";
    private const int GatewayTone = 1300;

    /// <summary>The called party behind the engine's gateway: answers at once, plays 1,300 Hz, dumps what it hears.</summary>
    private async Task<Baresip> GatewayAsync()
    {
        var tone = await Sox.ToneAsync(_work, GatewayTone, 60);
        var gateway = Baresip.Start($"<sip:{CalledNumber}@127.0.0.1:{P(_gatewayPort)};transport=udp>;regint=0;answermode=auto", tone, seconds: 60, port: _gatewayPort);
        await gateway.Process.WaitForLineAsync(l => l.Contains("baresip is ready", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        return gateway;
    }

    [Test]
    public async Task The_desk_phone_dials_a_number_through_the_engines_dial_plan_with_audio_both_ways_and_says_why_a_number_is_refused()
    {
        var (page, log) = await ConnectedDeskAsync("alice-dial");

        // Not in the dial plan, not the hotline, no feature code: the engine answers 404 and the panel says so in words.
        await page.FillAsync("#phone-number", "999");
        await page.ClickAsync("#phone-call-button");
        await log.StepAsync("a refused number is said", () => Expect(page.Locator("#phone-error")).ToContainTextAsync("999 cannot be called: the dial plan does not allow it"));
        await Expect(page.Locator("#phone-status")).ToHaveTextAsync("ready");

        await using var gateway = await GatewayAsync();
        // The number keyed on the dial pad (keys build the number while no call is up).
        await page.FillAsync("#phone-number", "");
        foreach (var digit in CalledNumber) await page.ClickAsync($"#phone-keys button[data-key='{digit}']");
        await Expect(page.Locator("#phone-number")).ToHaveValueAsync(CalledNumber);
        await page.ClickAsync("#phone-call-button");
        await log.StepAsync("the call is up", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("talking"));
        Assert.That(await page.Locator("#phone-error").TextContentAsync(), Is.Empty, "the refusal's message is cleared by the next call");
        await gateway.Process.WaitForLineAsync(l => l.Contains("Call established", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(15));
        await Expect(page.Locator("#state")).ToHaveAttributeAsync("data-status", "talking");

        await ListenAsync(page);
        await HearsAsync(page, log, GatewayTone, "the browser hears the called party's 1,300 Hz", () => gateway.Process.Output);
        TestContext.Out.WriteLine($"desk phone dialling out hears: {await LevelsAsync(page, GatewayTone, BrowserTone, 2500)}");
        // The called party hears the browser's tone B: three seconds of it are what its dump is measured on.
        await Task.Delay(TimeSpan.FromSeconds(3));
        // Keys on the pad during the outbound call (a far IVR): RFC 4733 from the browser to the engine, relayed by the
        // engine as RFC 4733 to the called party, which reports each event (baresip: "received event: '1' (end=…)").
        foreach (var key in "1#") await page.ClickAsync($"#phone-keys button[data-key='{key}']");
        await Expect(page.Locator("#phone-sent")).ToHaveTextAsync("keys sent: 1#");
        foreach (var key in "1#")
            TestContext.Out.WriteLine("called party: " + await gateway.Process.WaitForLineAsync(
                l => l.Contains($"received event: '{key}'", StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
        await page.ClickAsync("#phone-hangup");
        await log.StepAsync("hung up", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("ready"));
        await gateway.Process.WaitForLineAsync(l => Regex.IsMatch(l, "terminated|closed", RegexOptions.IgnoreCase), TimeSpan.FromSeconds(10));
        await ThreeWayBaresipTests.StopAsync(gateway.Process);
        var heard = gateway.HeardFile();
        Assert.That(heard, Is.Not.Null, gateway.Process.Output);
        var hearsBrowser = await ThreeWayBaresipTests.BandRmsAsync(heard!, BrowserTone - 50, BrowserTone + 50);
        TestContext.Out.WriteLine($"called party heard the browser's {BrowserTone} Hz at RMS {hearsBrowser:F3}");
        Assert.That(hearsBrowser, Is.GreaterThan(0.02), "the called party hears the browser's tone B");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_callback_from_the_desk_rings_the_browser_as_the_agents_newest_binding_not_the_softphone_registered_before()
    {
        // The agent's softphone registers first (same SIP user 1001), then the desk's phone: the browser is the newest binding.
        var softphoneTone = await Sox.ToneAsync(_work, 600, 60);
        await using var softphone = Baresip.Start($"<sip:1001@127.0.0.1:{P(_sipPort)};transport=udp>;auth_pass={SipPassword};regint=600",
            softphoneTone, seconds: 60, answerMode: "manual");
        var registered = await softphone.Process.WaitForLineAsync(l => l.Contains("1001@127.0.0.1", StringComparison.Ordinal) &&
            (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        Assert.That(registered, Does.Contain("200 OK"), softphone.Process.Output);
        var (page, log) = await ConnectedDeskAsync("alice-callback");
        await using var gateway = await GatewayAsync();

        using var admin = new HttpClient { BaseAddress = _ticketApi.HttpUrl };
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var created = await admin.PostAsJsonAsync("/api/workorders", new { channel = "Phone", content = "Water pressure low", nature = "complaint", callerNumber = CalledNumber });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var orderId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        // The desk's "Call back" (the button on the caller's history calls this endpoint): TicketApi → CTI Dial → the engine
        // rings the agent's phone first.
        var status = await page.EvaluateAsync<int>("async id => (await hl.json(`/console/api/desk/orders/${id}/call`, { method: 'POST' })).status", orderId);
        Assert.That(status, Is.InRange(200, 299), log.ToString());
        await log.StepAsync("the browser rings for the callback", async () =>
        {
            await Expect(page.Locator("#phone-status")).ToHaveTextAsync("ringing");
            await Expect(page.Locator("#phone-caller")).ToContainTextAsync("Callback WO");
        });
        await page.ClickAsync("#phone-answer");
        await log.StepAsync("answered", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("talking"));
        await ListenAsync(page);
        await HearsAsync(page, log, GatewayTone, "the browser hears the called-back number (1,300 Hz)", () => gateway.Process.Output);
        TestContext.Out.WriteLine($"callback in the browser hears: {await LevelsAsync(page, GatewayTone, BrowserTone, 2500)}");
        Assert.That(softphone.Process.Output, Does.Not.Contain("Incoming call"), "the older binding (the softphone) was not rung");

        await page.ClickAsync("#phone-hangup");
        await log.StepAsync("hung up", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("ready"));
        await gateway.Process.WaitForLineAsync(l => Regex.IsMatch(l, "terminated|closed", RegexOptions.IgnoreCase), TimeSpan.FromSeconds(10));
        await page.Context.CloseAsync();
    }
}
