using System.Diagnostics;
using Hotline.EndToEnd.Tests.Calls;
using Hotline.EndToEnd.Tests.Conference;
using static Microsoft.Playwright.Assertions;

namespace Hotline.EndToEnd.Tests.WebRtc;

/// <summary>
/// Issue 18's three-way: a browser agent (the desk's phone, tone B 1,000 Hz) answers a baresip caller (805 Hz); the desk's
/// Consult brings in department water's baresip 2001 (1,300 Hz); the three are mixed (the engine's 8 kHz mixer, each
/// hears the others); the agent leaves (Complete transfer) and caller and department stay. Measured in the page (WebAudio
/// analyser) and in the baresip phones' dumps of what they heard.
/// </summary>
public sealed partial class DeskPhoneTests
{
    // Not 440 Hz: the caller's tone reaches the agent with sidebands at multiples of 50 Hz (its 20 ms frames), and
    // 440 + 50 sits within the failure tone's band (480 Hz): measured −35 dB at 480 Hz from the 440 Hz caller alone,
    // so a wait for the failure tone passed before the engine had read the keys. 805 Hz puts 480 Hz midway between
    // two of its sidebands (455, 505), outside the analyser's main lobe (±18 Hz).
    private const int CallerTone = 805;
    private const int DepartmentTone = 1300;
    private const int ConsultFailedTone = 480; // ConsultTones.Failed

    /// <summary>When the desk keys an unknown consult code in <see cref="A_browser_agent_consults_a_baresip_department_all_three_hear_each_other_then_the_agent_leaves_and_caller_and_department_stay"/>.</summary>
    public enum KeysWhen
    {
        /// <summary>Before Consult: the tone plays to the agent in the bridge with the caller, then the consult.</summary>
        BeforeConsult,
        /// <summary>During the three-way: the tone plays to the agent while it is a member of the mixer.</summary>
        DuringThreeWay,
    }

    /// <summary>
    /// The dial pad during a call sends RFC 4733 telephone-events (SRTP, like the voice): a consult code the engine does
    /// not know (*8 9 #, docs/conference.md) makes it play the failure tone (480 Hz beeps) to the agent, heard in the page
    /// beside the caller's tone (which the agent keeps hearing: the tone plays beside the bridge or mix).
    /// </summary>
    private static async Task KeyAnUnknownConsultCodeAsync(Microsoft.Playwright.IPage page, Console.BrowserLog log)
    {
        var before = await BaselineAsync(page, ConsultFailedTone);
        foreach (var key in "*89#") await page.ClickAsync($"#phone-keys button[data-key='{key}']");
        await Expect(page.Locator("#phone-sent")).ToHaveTextAsync("keys sent: *89#");
        var heard = await HearsNewToneAsync(page, log, ConsultFailedTone, before, "the engine read the keys and plays the failure tone for the unknown code");
        TestContext.Out.WriteLine($"failure tone: {ConsultFailedTone} Hz at {heard:F0} dB in the page (before the keys: {before:F0} dB)");
    }

    // Both cases key *8 9 # (an unknown department code): the engine's failure tone (1.2 s) plays to the agent beside
    // what it hears. Until 2 Dec it replaced the agent's feed, which took the agent out of the mixer for the tone's
    // 1.2 s (the department heard the agent at 0.001-0.09 instead of 0.32): DuringThreeWay checks every 0.4 s window.
    [TestCase(KeysWhen.BeforeConsult)]
    [TestCase(KeysWhen.DuringThreeWay)]
    public async Task A_browser_agent_consults_a_baresip_department_all_three_hear_each_other_then_the_agent_leaves_and_caller_and_department_stay(KeysWhen keys)
    {
        var departmentTone = await Sox.ToneAsync(_work, DepartmentTone, 60);
        await using var department = Baresip.Start($"<sip:2001@127.0.0.1:{P(_sipPort)};transport=udp>;auth_pass=dept2001;regint=600;answermode=auto",
            departmentTone, seconds: 60);
        var registering = department.Process.WaitForLineAsync(l => l.Contains("2001@127.0.0.1", StringComparison.Ordinal) &&
            (l.Contains("200 OK", StringComparison.Ordinal) || l.Contains("Register:", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        var (page, log) = await ConnectedDeskAsync("alice-three-way"); // Meanwhile the department registers.
        Assert.That(await registering, Does.Contain("200 OK"), department.Process.Output);

        var callerTone = await Sox.ToneAsync(_work, CallerTone, 60);
        await using var caller = Baresip.Start($"<sip:13800138055@127.0.0.1:{P(_sipPort)};transport=udp>;regint=0", callerTone, seconds: 60,
            dial: $"sip:12345@127.0.0.1:{P(_sipPort)}");
        await log.StepAsync("the desk rings", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("ringing"));
        await page.ClickAsync("#phone-answer");
        await log.StepAsync("answered", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("talking"));
        await ListenAsync(page);
        await HearsAsync(page, log, CallerTone, "the browser hears the caller");

        if (keys == KeysWhen.BeforeConsult)
        {
            await KeyAnUnknownConsultCodeAsync(page, log);
            await HearsAsync(page, log, CallerTone, "the browser hears the caller beside the tone");
        }

        // The desk's Consult (department water, caller on hold while it rings): 2001 answers and joins.
        await page.SelectOptionAsync("#consult-department", "water");
        await page.ClickAsync("button[data-call=consult]");
        await log.StepAsync("the department joins", () => Expect(page.Locator("#call-events li[data-kind=departmentJoined]")).ToHaveCountAsync(1, new() { Timeout = 20_000 }));
        var threeWay = Stopwatch.StartNew();
        await HearsAsync(page, log, DepartmentTone, "the browser hears the department");
        await HearsAsync(page, log, CallerTone, "the browser still hears the caller (off hold, in the mixer)");
        TestContext.Out.WriteLine($"three-way, the browser hears: {await LevelsAsync(page, CallerTone, DepartmentTone, BrowserTone, 2500)}");
        var toneAt = double.NaN;
        if (keys == KeysWhen.DuringThreeWay)
        {
            await KeyAnUnknownConsultCodeAsync(page, log);
            toneAt = threeWay.Elapsed.TotalSeconds;
            TestContext.Out.WriteLine($"failure tone heard {toneAt:F1} s into the three-way; the browser hears: {await LevelsAsync(page, ConsultFailedTone, CallerTone, DepartmentTone, 2500)}");
            await HearsAsync(page, log, DepartmentTone, "the browser still hears the department beside the tone");
        }
        // The three talk: these seconds are what the department's dump is measured on, not a synchronisation.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var threeWaySeconds = threeWay.Elapsed.TotalSeconds;

        // The agent leaves: the engine hangs up the browser, caller and department stay in the mixer.
        await page.ClickAsync("button[data-call=complete-transfer]");
        await log.StepAsync("the agent's phone is free", () => Expect(page.Locator("#phone-status")).ToHaveTextAsync("ready"));
        await log.StepAsync("the agent wraps up", () => Expect(page.Locator("#state")).Not.ToHaveAttributeAsync("data-status", "talking"));
        await Task.Delay(TimeSpan.FromSeconds(3)); // Caller and department alone: the last seconds of both dumps.
        Assert.That(caller.Process.Output, Does.Not.Contain("terminated").IgnoreCase, "the caller is still in the call after the agent left");
        await ThreeWayBaresipTests.StopAsync(department.Process);
        await ThreeWayBaresipTests.StopAsync(caller.Process);

        var departmentHeard = department.HeardFile();
        var callerHeard = caller.HeardFile();
        Assert.That(departmentHeard, Is.Not.Null, department.Process.Output);
        Assert.That(callerHeard, Is.Not.Null, caller.Process.Output);
        // The department's dump starts at its answer: [0.5 s, three-way − 0.5 s] is the three-way, the last 2.5 s the two.
        var during = threeWaySeconds - 0.5;
        var departmentHearsAgent = await WindowRmsAsync(departmentHeard!, 0.5, during, BrowserTone - 50, BrowserTone + 50);
        var departmentHearsCallerDuring = await WindowRmsAsync(departmentHeard!, 0.5, during, CallerTone - 40, CallerTone + 40);
        var departmentHearsCallerAfter = await ThreeWayBaresipTests.BandRmsAsync(departmentHeard!, CallerTone - 40, CallerTone + 40);
        var departmentHearsAgentAfter = await ThreeWayBaresipTests.BandRmsAsync(departmentHeard!, BrowserTone - 50, BrowserTone + 50);
        var callerHearsDepartment = await ThreeWayBaresipTests.BandRmsAsync(callerHeard!, DepartmentTone - 50, DepartmentTone + 50);
        var callerHearsAgentAfter = await ThreeWayBaresipTests.BandRmsAsync(callerHeard!, BrowserTone - 50, BrowserTone + 50);
        // Every 0.4 s of the three-way, the tone's 1.2 s included: the agent never left the mix.
        var (agentLeast, agentLeastAt) = await MinWindowRmsAsync(departmentHeard!, 0.5, during, BrowserTone - 50, BrowserTone + 50);
        TestContext.Out.WriteLine($"department heard the agent at least {agentLeast:F3} (0.4 s window at {agentLeastAt:F1} s of its call; tone heard in the page at {toneAt:F1} s of the three-way)");
        TestContext.Out.WriteLine($"department heard, three-way ({threeWaySeconds:F1} s): agent {departmentHearsAgent:F3}, caller {departmentHearsCallerDuring:F3}; " +
            $"after: caller {departmentHearsCallerAfter:F3}, agent {departmentHearsAgentAfter:F3}. Caller heard after: department {callerHearsDepartment:F3}, agent {callerHearsAgentAfter:F3}");
        Assert.Multiple(() =>
        {
            Assert.That(departmentHearsAgent, Is.GreaterThan(0.02), "three-way: the department hears the browser agent's 1,000 Hz");
            Assert.That(agentLeast, Is.GreaterThan(0.02), "three-way: the department hears the agent in every 0.4 s (the failure tone does not take the agent out of the mix)");
            Assert.That(departmentHearsCallerDuring, Is.GreaterThan(0.02), "three-way: the department hears the caller's tone");
            Assert.That(departmentHearsCallerAfter, Is.GreaterThan(0.02), "after the agent left: the department still hears the caller");
            Assert.That(callerHearsDepartment, Is.GreaterThan(0.02), "after the agent left: the caller hears the department");
            Assert.That(departmentHearsAgentAfter, Is.LessThan(departmentHearsCallerAfter / 4), "the agent is gone from the department's audio");
            Assert.That(callerHearsAgentAfter, Is.LessThan(callerHearsDepartment / 4), "the agent is gone from the caller's audio");
        });
        await page.Context.CloseAsync();
    }
}
