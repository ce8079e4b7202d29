using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Conference;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.AcdEngine.Sip;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;
using Hotline.AcdEngine.Reload;

namespace Hotline.AcdEngine.Tests.Hosting;

/// <summary>
/// Live reload (issue 20) over the whole ACD in virtual time: new queues and agents apply without touching a call in
/// progress; a configuration that would not start the engine is refused whole with its keys named; keys only a restart
/// applies are reported every time until then.
/// </summary>
[TestFixture]
public sealed class ConfigurationReloadTests
{
    /// <summary>The harness's set-up as configuration: queues general and billing, a1 (1001) in billing, a2 (1002) in general.</summary>
    private static Dictionary<string, string?> Initial() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Acd:RingTimeoutSeconds"] = "15",
        ["Acd:WrapUpSeconds"] = "10",
        ["Acd:AnnounceEverySeconds"] = "0",
        ["Acd:HotlineNumber"] = "12345",
        ["Acd:Queues:general:Strategy"] = "LongestIdle",
        ["Acd:Queues:billing:Strategy"] = "LongestIdle",
        ["Agents:0:Id"] = "a1",
        ["Agents:0:User"] = "1001",
        ["Agents:0:Queues:0"] = "billing",
        ["Agents:1:Id"] = "a2",
        ["Agents:1:User"] = "1002",
        ["Agents:1:Queues:0"] = "general",
        ["Departments:0:Id"] = "water",
        ["Departments:0:Code"] = "1",
        ["Departments:0:Contacts:0"] = "2001",
        ["Sip:Port"] = "5060",
    };

    private sealed class Engine : IDisposable
    {
        public Engine(string? jsonFile = null)
        {
            var acd = AcdHarness.DefaultOptions();
            acd.Queues["billing"] = new AcdEngine.Queues.QueueOptions();
            Acd = new AcdHarness(acd, AcdHarness.Agent("a1", "1001", "billing"), AcdHarness.Agent("a2", "1002"));
            var builder = new ConfigurationBuilder().Add(File);
            if (jsonFile is not null) builder.AddJsonFile(jsonFile, optional: false, reloadOnChange: false);
            Configuration = builder.Build();
            Departments = new DepartmentDirectory([new DepartmentOptions { Id = "water", Code = "1", Contacts = ["2001"] }], new ConferenceOptions());
            var options = Microsoft.Extensions.Options.Options.Create(Acd.Options);
            Reload = new ConfigurationReload(Configuration, new ConfigurationBaseline(Configuration), options, Acd.Roster, Acd.Queues, Acd.Router,
                Departments, new AgentNames(Microsoft.Extensions.Options.Options.Create(new AgentsOptions { List = [.. Acd.Agents] }), options),
                new FakePromptLibrary(), NullLogger<ConfigurationReload>.Instance);
        }

        public AcdHarness Acd { get; }
        public EditableFile File { get; } = new(Initial());
        public IConfigurationRoot Configuration { get; }
        public DepartmentDirectory Departments { get; }
        public ConfigurationReload Reload { get; }

        /// <summary>A caller who has heard the greeting and waits in the default queue.</summary>
        public async Task<FakeCallLeg> QueuedCallerAsync()
        {
            var caller = Acd.Telephony.Call("13800138000", "12345");
            await caller.PlayedAsync("greeting");
            Acd.Time.Advance(FakePromptLibrary.GreetingLength);
            await caller.PlayedAsync("moh");
            return caller;
        }

        public void Dispose() => Acd.Dispose();
    }

    [Test]
    public async Task An_agent_moved_into_a_queue_takes_the_caller_already_waiting_there_and_a_new_agent_signs_in()
    {
        using var e = new Engine();
        e.Acd.Ready("a1");
        var caller = await e.QueuedCallerAsync();
        Assert.That(e.Acd.Telephony.HasPendingDial, Is.False, "a1 serves billing only: the caller in general waits");

        e.File.Data["Agents:0:Queues:0"] = "general";
        e.File.Data["Agents:2:Id"] = "a3";
        e.File.Data["Agents:2:User"] = "1003";
        e.File.Data["Agents:2:Queues:0"] = "billing";
        e.File.Data["Agents:2:AutoReady"] = "true";
        var outcome = e.Reload.Reload("test-admin");

        Assert.That(outcome.Applied, Is.True, string.Join("; ", outcome.Failures));
        Assert.That(outcome.Changed, Does.Contain(new ConfigurationChange("Agents:0:Queues:0", "billing", "general")));
        Assert.That(outcome.Changed.Select(c => c.Key), Does.Contain("Agents:2:Id"));
        Assert.That(outcome.NeedsRestart, Is.Empty);
        Assert.That(outcome.Agents!.Added, Is.EqualTo(new[] { "a3" }));
        Assert.That(e.Acd.Roster.Get("a3").State, Is.EqualTo(AgentState.Ready), "AutoReady: signed in ready");

        // The caller who was waiting before the reload is offered to a1 now, and talks: the call was never dropped.
        var dial = await e.Acd.Telephony.NextDialAsync();
        Assert.That(dial.Target, Does.Contain("1001"));
        dial.Answer();
        await e.Acd.Sink.WaitForCallAsync(Kind.Answered);
        Assert.That(e.Acd.Roster.Get("a1").State, Is.EqualTo(AgentState.Talking));
        Assert.That(caller.State, Is.EqualTo(Hotline.Cti.Calls.CallLegState.Connected));
    }

    [TestCase("Agents:0:Queues:0", "nowhere", "Agents:0:Queues 'nowhere' is not a configured queue.")]
    [TestCase("Acd:Queues:general:Strategy", "Random", "Acd:Queues:general:Strategy 'Random' must be one of")]
    [TestCase("Acd:RingTimeoutSeconds", "soon", "Acd:RingTimeoutSeconds")]
    [TestCase("Acd:RingTimeoutSeconds", "1", "Acd:RingTimeoutSeconds must be between 3 and 120.")]
    [TestCase("Acd:DefaultQueue", "sales", "Acd:DefaultQueue 'sales' is not a configured queue")]
    [TestCase("Departments:0:Code", "x", "Departments:0:Code must be 1 to 6 digits")]
    public async Task A_configuration_that_would_not_start_the_engine_is_refused_whole_naming_the_key(string key, string value, string failure)
    {
        using var e = new Engine();
        var contextBefore = e.Acd.Router.Context;
        e.File.Data[key] = value;
        e.File.Data["Agents:1:Queues:0"] = "billing"; // A valid change in the same file is not applied either.

        var outcome = e.Reload.Reload("test-admin");

        Assert.That(outcome.Applied, Is.False);
        Assert.That(outcome.Failures, Has.Some.Contains(failure));
        Assert.That(e.Acd.Roster.Get("a2").Queues, Is.EquivalentTo(new[] { "general" }), "nothing changed");
        Assert.That(e.Acd.Router.Context, Is.SameAs(contextBefore));
        Assert.That(e.Departments.FindByCode("1")?.Id, Is.EqualTo("water"));

        // The old configuration still routes: a caller in general is offered to a2.
        e.Acd.Ready("a2");
        await e.QueuedCallerAsync();
        Assert.That((await e.Acd.Telephony.NextDialAsync()).Target, Does.Contain("1002"));
    }

    [Test]
    public void A_file_that_is_not_valid_JSON_is_refused_naming_the_file_and_the_position()
    {
        var json = Path.Combine(Path.GetTempPath(), "hotline-reload-" + Guid.NewGuid().ToString("N") + ".json");
        System.IO.File.WriteAllText(json, """{ "Acd": { "RingTimeoutSeconds": 20 } }""");
        try
        {
            using var e = new Engine(json);
            var contextBefore = e.Acd.Router.Context;
            System.IO.File.WriteAllText(json, """{ "Acd": { "RingTimeoutSeconds": 20, } "Agents": """);

            var outcome = e.Reload.Reload("test-admin");

            Assert.That(outcome.Applied, Is.False);
            Assert.That(outcome.Failures.Single(), Does.Contain(json).And.Contain("LineNumber"));
            Assert.That(e.Acd.Router.Context, Is.SameAs(contextBefore), "nothing changed");
        }
        finally
        {
            System.IO.File.Delete(json);
        }
    }

    [Test]
    public void A_setting_that_needs_a_restart_but_would_not_start_the_engine_is_refused_too()
    {
        using var e = new Engine();
        e.File.Data["Sip:Accounts:0:User"] = "1001";
        e.File.Data["Sip:Accounts:0:Password"] = "agent1001";
        e.Configuration.Reload();
        // As in the engine: ValidateOnStart keeps an options monitor per options class, which re-validates on every reload.
        var services = new ServiceCollection();
        services.AddOptions<SipOptions>().Bind(e.Configuration.GetSection(SipOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SipOptions>, SipOptionsValidator>();
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IOptionsMonitor<SipOptions>>().CurrentValue;
        var contextBefore = e.Acd.Router.Context;

        e.File.Data["Sip:Accounts:0:Password"] = "x";
        e.File.Data["Agents:1:Queues:0"] = "billing";
        var outcome = e.Reload.Reload("test-admin");

        Assert.That(outcome.Applied, Is.False);
        Assert.That(outcome.Failures, Has.Some.Contains("Sip:Accounts:0:Password must be at least 6 characters"));
        Assert.That(e.Acd.Roster.Get("a2").Queues, Is.EquivalentTo(new[] { "general" }), "nothing changed");
        Assert.That(e.Acd.Router.Context, Is.SameAs(contextBefore));
    }

    [Test]
    public void Keys_only_a_restart_applies_are_reported_each_time_and_not_applied()
    {
        using var e = new Engine();
        e.File.Data["Sip:Port"] = "5070";
        e.File.Data["Acd:HotlineNumber"] = "99999";
        e.File.Data["Acd:Queues:general:MaxLength"] = "5";

        var first = e.Reload.Reload("test-admin");
        Assert.That(first.Applied, Is.True);
        Assert.That(first.NeedsRestart, Is.EqualTo(new[] { "Acd:HotlineNumber", "Sip:Port" }));
        Assert.That(first.Changed, Is.EqualTo(new[] { new ConfigurationChange("Acd:Queues:general:MaxLength", null, "5") }));
        Assert.That(e.Acd.Router.Context.Options.HotlineNumber, Is.EqualTo("12345"), "the hotline number needs a restart");
        Assert.That(e.Acd.Queues.Options("general").MaxLength, Is.EqualTo(5));

        var second = e.Reload.Reload("test-admin");
        Assert.That(second.NeedsRestart, Is.EqualTo(new[] { "Acd:HotlineNumber", "Sip:Port" }), "still not applied");
        Assert.That(second.Changed, Is.Empty, "the queue change was applied the first time");
    }

    [Test]
    public async Task A_removed_agent_on_a_call_finishes_it_and_a_removed_queue_keeps_its_caller_but_takes_no_new_one()
    {
        using var e = new Engine();
        e.Acd.Ready("a2");
        await e.QueuedCallerAsync();
        var dial = await e.Acd.Telephony.NextDialAsync();
        dial.Answer();
        await e.Acd.Sink.WaitForCallAsync(Kind.Answered);
        // A caller waiting in billing (nobody serves it now).
        e.File.Data["Acd:DefaultQueue"] = "billing";
        Assert.That(e.Reload.Reload("test-admin").Applied, Is.True);
        var billingCaller = await e.QueuedCallerAsync();
        Assert.That(e.Acd.Router.Calls.Select(c => c.Queue), Does.Contain("billing"));

        // a2 (talking) and the billing queue (one caller) leave the configuration.
        foreach (var k in e.File.Data.Keys.Where(k => k.StartsWith("Agents:1:", StringComparison.Ordinal) || k.StartsWith("Acd:Queues:billing", StringComparison.Ordinal)).ToList())
            e.File.Data.Remove(k);
        e.File.Data["Acd:DefaultQueue"] = "general";
        e.File.Data["Agents:0:Queues:0"] = "general";
        var outcome = e.Reload.Reload("test-admin");

        Assert.That(outcome.Applied, Is.True, string.Join("; ", outcome.Failures));
        Assert.That(outcome.Agents!.RemovedAfterCall, Is.EqualTo(new[] { "a2" }));
        Assert.That(outcome.Queues!.RemovedWhenEmpty, Is.EqualTo(new[] { "billing" }));
        Assert.That(e.Acd.Roster.Get("a2").State, Is.EqualTo(AgentState.Talking), "the call goes on");
        Assert.That(e.Acd.Queues.Exists("billing"), Is.False, "no new caller enters billing");
        Assert.That(billingCaller.State, Is.EqualTo(Hotline.Cti.Calls.CallLegState.Connected), "the billing caller still waits");

        // The call ends, the wrap-up runs out: a2 is signed out and gone.
        var signedOut = e.Acd.WaitForAgentAsync("a2", AgentState.SignedOut);
        dial.FakeLeg.RemoteHangup();
        await e.Acd.WaitForAgentAsync("a2", AgentState.WrapUp);
        e.Acd.Time.Advance(TimeSpan.FromSeconds(10));
        await signedOut;
        Assert.Throws<UnknownAgentException>(() => e.Acd.Roster.Get("a2"));
        Assert.That(e.Acd.Sink.AgentEvents("a2").Last().Reason, Is.EqualTo(AgentRoster.RemovedReason));
    }

    [Test]
    public void Every_Acd_setting_is_either_applied_live_or_named_as_needing_a_restart()
    {
        foreach (var key in LiveSettings.AcdKeys())
            Assert.That(LiveSettings.IsLive(key) ^ LiveSettings.AcdRestartKeys.Contains(key), Is.True, key + " is classified once");
        Assert.That(LiveSettings.IsLive("Acd:Greetings:Holidays:0"), Is.True);
        Assert.That(LiveSettings.IsLive("Acd:GreetingX"), Is.False, "a prefix match is per key segment");
        Assert.That(LiveSettings.IsLive("Api:Keys:0:Sha256"), Is.False);
    }

    /// <summary>A configuration file the test edits; <see cref="IConfigurationRoot.Reload"/> reads it again, as it would a JSON file.</summary>
    private sealed class EditableFile(Dictionary<string, string?> data) : IConfigurationSource
    {
        public Dictionary<string, string?> Data { get; } = data;

        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this);

        private sealed class Provider(EditableFile file) : ConfigurationProvider
        {
            public override void Load() => Data = new Dictionary<string, string?>(file.Data, StringComparer.OrdinalIgnoreCase);
        }
    }
}
