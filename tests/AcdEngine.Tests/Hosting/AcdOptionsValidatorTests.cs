using Hotline.AcdEngine.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Hours;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Tests.Hosting;

/// <summary>Cross-field configuration rules: each bad value is refused with a message naming its key.</summary>
[TestFixture]
public sealed class AcdOptionsValidatorTests
{
    private static AcdOptions Valid()
    {
        var o = new AcdOptions();
        o.Queues["general"] = new QueueOptions();
        o.Queues["complaints"] = new QueueOptions { Overflow = OverflowAction.Queue, OverflowQueue = "general" };
        o.Ivr.Options["1"] = new IvrChoiceOptions { Queue = "general", Nature = "consultation" };
        return o;
    }

    [Test]
    public void The_shipped_shape_is_valid() =>
        Assert.That(new AcdOptionsValidator().Validate(null, Valid()).Succeeded, Is.True);

    private static IEnumerable<TestCaseData> BadCases()
    {
        yield return new TestCaseData((Action<AcdOptions>)(o => o.DefaultQueue = "nowhere"), "Acd:DefaultQueue").SetName("default queue not configured");
        yield return new TestCaseData((Action<AcdOptions>)(o => o.Ivr.Options["12"] = new IvrChoiceOptions { Queue = "general" }), "Acd:Ivr:Options:12").SetName("menu key of two digits");
        yield return new TestCaseData((Action<AcdOptions>)(o => o.Ivr.Options["3"] = new IvrChoiceOptions { Queue = "tax" }), "Acd:Ivr:Options:3:Queue").SetName("menu to an unknown queue");
        yield return new TestCaseData((Action<AcdOptions>)(o => o.Queues["complaints"].OverflowQueue = "complaints"), "Acd:Queues:complaints:OverflowQueue").SetName("overflow to itself");
        yield return new TestCaseData((Action<AcdOptions>)(o => o.Queues["general"].MaxLength = -1), "Acd:Queues:general:MaxLength").SetName("negative max length");
        yield return new TestCaseData((Action<AcdOptions>)(o => o.BusinessHours.Open = "8am"), "Acd:BusinessHours:Open").SetName("opening time not HH:mm");
        yield return new TestCaseData((Action<AcdOptions>)(o => o.BusinessHours.TimeZone = "Mars/Olympus"), "Acd:BusinessHours:TimeZone").SetName("unknown time zone");
        yield return new TestCaseData((Action<AcdOptions>)(o => o.BusinessHours.Holidays.Add("2026-13-01")), "Acd:BusinessHours:Holidays").SetName("impossible holiday");
    }

    [TestCaseSource(nameof(BadCases))]
    public void A_bad_value_is_refused_naming_its_key(Action<AcdOptions> spoil, string key)
    {
        var o = Valid();
        spoil(o);
        var result = new AcdOptionsValidator().Validate(null, o);
        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain(key));
    }

    [Test]
    public void An_enum_value_the_binder_would_silently_drop_is_refused_naming_its_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Acd:Queues:general:Strategy"] = "Random",
            ["Acd:Queues:general:Overflow"] = "Email",
            ["Acd:Queues:tax:Strategy"] = "skills",
        }).Build();
        var result = new AcdOptionsValidator(config).Validate(null, Valid());
        Assert.That(result.Failures, Has.Some.Contains("Acd:Queues:general:Strategy 'Random' must be one of LongestIdle"));
        Assert.That(result.Failures, Has.Some.Contains("Acd:Queues:general:Overflow 'Email'"));
        Assert.That(result.Failures, Has.None.Contains("tax"), "enum names are case-insensitive");
    }

    [Test]
    public void Agents_with_duplicate_users_or_unknown_queues_are_refused()
    {
        var agents = new AgentsOptions
        {
            List =
            [
                new AgentOptions { Id = "a1", User = "1001", Queues = ["general"] },
                new AgentOptions { Id = "a2", User = "1001", Queues = ["tax"] },
                new AgentOptions { Id = "a1", User = "1003" },
            ],
        };
        var result = new AgentsOptionsValidator(Options.Create(Valid())).Validate(null, agents);
        Assert.That(result.Failures, Has.Some.Contains("Agents:1:User"));
        Assert.That(result.Failures, Has.Some.Contains("Agents:1:Queues 'tax'"));
        Assert.That(result.Failures, Has.Some.Contains("Agents:2:Id 'a1' is used twice"));
    }

    [Test]
    public void A_trainee_needs_a_number_of_digits_to_speak()
    {
        var agents = new AgentsOptions
        {
            List =
            [
                new AgentOptions { Id = "a1", User = "1001", Trainee = true },
                new AgentOptions { Id = "a2", User = "ann", Trainee = true, Number = "0070" },
                new AgentOptions { Id = "a3", User = "bob", Trainee = true },
                new AgentOptions { Id = "a4", User = "1004", Trainee = true, Number = "10 04" },
                new AgentOptions { Id = "a5", User = "1005", Number = "123456789" },
                new AgentOptions { Id = "a6", User = "carol" },
            ],
        };
        var result = new AgentsOptionsValidator(Options.Create(Valid())).Validate(null, agents);
        Assert.That(result.Failures, Has.Exactly(3).Items);
        Assert.That(result.Failures, Has.Some.Contains("Agents:2:Trainee needs Agents:2:Number"));
        Assert.That(result.Failures, Has.Some.Contains("Agents:3:Number '10 04' must be 1-8 digits"));
        Assert.That(result.Failures, Has.Some.Contains("Agents:4:Number '123456789' must be 1-8 digits"));
    }

    [Test]
    public void A_trainee_without_a_number_stops_the_host_at_start_naming_the_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:0:Id"] = "a1",
            ["Agents:0:User"] = "ann",
            ["Agents:0:Trainee"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton(Options.Create(Valid()));
        services.AddOptions<AgentsOptions>().Configure(o => config.GetSection(AgentsOptions.Section).Bind(o.List));
        services.AddSingleton<IValidateOptions<AgentsOptions>, AgentsOptionsValidator>();
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<AgentsOptions>>().Value)!;
        Assert.That(error.Message, Does.Contain("Agents:0:Trainee"));
    }
}
