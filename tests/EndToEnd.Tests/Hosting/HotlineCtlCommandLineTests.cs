using Hotline.HotlineCtl;

namespace Hotline.EndToEnd.Tests.Hosting;

/// <summary>hotlinectl's argument parsing, key sources and table layout (logic only; the tool itself runs in HotlineCtlTests).</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class HotlineCtlCommandLineTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Test]
    public void Defaults_are_the_run_commands_ports_and_the_environment_overrides_them()
    {
        var line = CtlCommandLine.Parse(["calls"], NoEnvironment);
        Assert.That((line.Engine.ToString(), line.Cti.ToString(), line.Json), Is.EqualTo(("http://127.0.0.1:5080/", "http://127.0.0.1:5081/", false)));
        var env = new Dictionary<string, string> { ["HOTLINE_ENGINE"] = "http://10.0.0.5:6080", ["HOTLINE_CTI"] = "https://10.0.0.5:6081" };
        var fromEnv = CtlCommandLine.Parse(["--json", "agents"], env.GetValueOrDefault);
        Assert.That((fromEnv.Engine.Port, fromEnv.Cti.Scheme, fromEnv.Json), Is.EqualTo((6080, "https", true)));
        var fromArgs = CtlCommandLine.Parse(["--engine", "http://127.0.0.1:7000", "calls"], env.GetValueOrDefault);
        Assert.That(fromArgs.Engine.Port, Is.EqualTo(7000));
    }

    [Test]
    public void Commands_take_their_arguments_and_options_after_the_command_are_arguments()
    {
        var agent = CtlCommandLine.Parse(["agent", "a1", "not-ready", "team meeting"], NoEnvironment);
        Assert.That(agent.Arguments, Is.EqualTo(new[] { "a1", "not-ready", "team meeting" }));
        Assert.That(CtlCommandLine.Parse([], NoEnvironment).Command, Is.EqualTo("help"));
        Assert.That(CtlCommandLine.Parse(["--help"], NoEnvironment).Command, Is.EqualTo("help"));
        Assert.That(CtlCommandLine.Parse(["hangup", "--odd-id"], NoEnvironment).Arguments, Is.EqualTo(new[] { "--odd-id" }));
    }

    [TestCase("bogus")]
    [TestCase("--verbose", "calls")]
    [TestCase("--engine")]
    [TestCase("--engine", "ftp://x", "calls")]
    [TestCase("--engine", "not a url", "calls")]
    [TestCase("hangup")]
    [TestCase("hangup", "c-1", "c-2")]
    [TestCase("agent", "a1")]
    [TestCase("agent", "a1", "dance")]
    [TestCase("agent", "a1", "ready", "now")]
    [TestCase("agent", "a1", "not-ready", "team", "meeting")]
    [TestCase("calls", "extra")]
    [TestCase("reload", "now")]
    public void Bad_usage_is_a_usage_error(params string[] args) =>
        Assert.Throws<UsageException>(() => CtlCommandLine.Parse(args, NoEnvironment));

    [Test]
    public void The_key_comes_from_the_key_file_first_then_HOTLINE_KEY_and_errors_never_contain_it()
    {
        var file = Path.Combine(Path.GetTempPath(), "hotlinectl-unit-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(file, "  file-key-123  \nsecond line ignored\n");
        try
        {
            var env = new Dictionary<string, string> { ["HOTLINE_KEY"] = "env-key-456" };
            var fromFile = CtlCommandLine.Parse(["--key-file", file, "calls"], NoEnvironment).ReadKey(env.GetValueOrDefault);
            Assert.That((fromFile.Key, fromFile.Description), Is.EqualTo(("file-key-123", $"the key in {file}")));
            var fromEnv = CtlCommandLine.Parse(["calls"], NoEnvironment).ReadKey(env.GetValueOrDefault);
            Assert.That((fromEnv.Key, fromEnv.Description), Is.EqualTo(("env-key-456", "the key in HOTLINE_KEY")));
            File.WriteAllText(file, "\n");
            var empty = Assert.Throws<UsageException>(() => CtlCommandLine.Parse(["--key-file", file, "calls"], NoEnvironment).ReadKey(NoEnvironment));
            Assert.That(empty!.Message, Does.Contain("empty"));
        }
        finally
        {
            File.Delete(file);
        }
        Assert.Throws<UsageException>(() => CtlCommandLine.Parse(["calls"], NoEnvironment).ReadKey(NoEnvironment));
        Assert.Throws<UsageException>(() => CtlCommandLine.Parse(["--key-file", "/nonexistent/key", "calls"], NoEnvironment).ReadKey(NoEnvironment));
    }

    [Test]
    public void HOTLINE_KEY_FILE_is_the_last_resort_the_one_tools_run_sh_writes()
    {
        var file = Path.Combine(Path.GetTempPath(), "hotlinectl-unit-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(file, "run-key-789\n");
        try
        {
            var env = new Dictionary<string, string> { ["HOTLINE_KEY_FILE"] = file };
            var fromRun = CtlCommandLine.Parse(["reload"], NoEnvironment).ReadKey(env.GetValueOrDefault);
            Assert.That((fromRun.Key, fromRun.Description), Is.EqualTo(("run-key-789", $"the key in {file}")));
            env["HOTLINE_KEY"] = "env-key-456";
            Assert.That(CtlCommandLine.Parse(["reload"], NoEnvironment).ReadKey(env.GetValueOrDefault).Key, Is.EqualTo("env-key-456"), "HOTLINE_KEY wins");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Tables_align_columns_show_empty_cells_as_dashes_and_strip_control_characters()
    {
        var text = TextTable.Render(["AGENT", "STATE", "REASON"],
            [["a1", "Ready", ""], ["agent-long", "NotReady", "lunch"], ["a3", "Ready\u001b[31m", null]]);
        Assert.That(text, Is.EqualTo(
            "AGENT       STATE       REASON\n" +
            "a1          Ready       -\n" +
            "agent-long  NotReady    lunch\n" +
            "a3          Ready?[31m  -\n"));
    }
}
