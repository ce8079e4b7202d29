namespace Hotline.HotlineCtl;

/// <summary>A usage error: bad arguments or missing configuration (exit 2, one line, nothing sent).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A refusal or failure from the engine, or an unreachable engine (exit 1, one line).</summary>
public sealed class CtlFailure(string message) : Exception(message);

/// <summary>Where the key came from, named in errors (never the key itself).</summary>
public sealed record KeySource(string Key, string Description);

/// <summary>
/// <c>hotlinectl [--engine URL] [--cti URL] [--key-file F] [--ca F] [--json] &lt;command&gt; [args]</c>. Defaults: the engine's
/// HTTP API at <c>HOTLINE_ENGINE</c> or http://127.0.0.1:5080, its CTI gRPC at <c>HOTLINE_CTI</c> or
/// http://127.0.0.1:5081 (tools/run.sh's ports), the key from <c>--key-file</c>, <c>HOTLINE_KEY</c> or the file
/// <c>HOTLINE_KEY_FILE</c> names (tools/hotlinectl points it at the key tools/run.sh wrote).
/// </summary>
public sealed record CtlCommandLine(Uri Engine, Uri Cti, string? KeyFile, string? CaFile, bool Json, string Command, IReadOnlyList<string> Arguments)
{
    public static readonly IReadOnlyList<string> Commands = ["help", "calls", "queues", "agents", "registrations", "hangup", "agent", "reload"];

    public static CtlCommandLine Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var engine = environment("HOTLINE_ENGINE") is { Length: > 0 } e ? e : "http://127.0.0.1:5080";
        var cti = environment("HOTLINE_CTI") is { Length: > 0 } c ? c : "http://127.0.0.1:5081";
        string? keyFile = null;
        var caFile = environment("HOTLINE_CA") is { Length: > 0 } ca ? ca : null;
        var json = false;
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (rest.Count > 0 || !a.StartsWith("--", StringComparison.Ordinal))
            {
                rest.Add(a);
                continue;
            }
            switch (a)
            {
                case "--engine": engine = Value(args, ref i, a); break;
                case "--cti": cti = Value(args, ref i, a); break;
                case "--key-file": keyFile = Value(args, ref i, a); break;
                case "--ca": caFile = Value(args, ref i, a); break;
                case "--json": json = true; break;
                case "--help": rest.Add("help"); break;
                default: throw new UsageException($"unknown option {a} (see 'hotlinectl help')");
            }
        }
        var command = rest.Count == 0 ? "help" : rest[0];
        if (!Commands.Contains(command)) throw new UsageException($"unknown command '{command}' (see 'hotlinectl help')");
        var line = new CtlCommandLine(Url(engine, "--engine"), Url(cti, "--cti"), keyFile, caFile, json, command, rest.Skip(1).ToList());
        line.CheckArguments();
        return line;
    }

    /// <summary>
    /// The key: <c>--key-file</c> (first line), else <c>HOTLINE_KEY</c>, else the file <c>HOTLINE_KEY_FILE</c> names;
    /// a usage error when none is there.
    /// </summary>
    public KeySource ReadKey(Func<string, string?> environment)
    {
        if (KeyFile is not null) return FromFile(KeyFile);
        if (environment("HOTLINE_KEY") is { } env && env.Trim().Length > 0) return new KeySource(env.Trim(), "the key in HOTLINE_KEY");
        if (environment("HOTLINE_KEY_FILE") is { Length: > 0 } file) return FromFile(file);
        throw new UsageException("no API key: pass --key-file FILE or set HOTLINE_KEY (an engine Api:Keys entry)");
    }

    private static KeySource FromFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the key file {path}: {ex.Message}");
        }
        var key = text.Split('\n', 2)[0].Trim();
        if (key.Length == 0) throw new UsageException($"the key file {path} is empty");
        return new KeySource(key, $"the key in {path}");
    }

    private void CheckArguments()
    {
        switch (Command)
        {
            case "hangup" when Arguments.Count != 1:
                throw new UsageException("usage: hotlinectl hangup <callId>");
            case "agent" when Arguments.Count < 2 || !AgentActions.Contains(Arguments[1]):
                throw new UsageException("usage: hotlinectl agent <agentId> ready|not-ready [reason]|sign-in|sign-out");
            case "agent" when Arguments[1] != "not-ready" && Arguments.Count != 2:
                throw new UsageException($"'agent {Arguments[0]} {Arguments[1]}' takes no further argument");
            case "agent" when Arguments.Count > 3:
                throw new UsageException("quote a reason of several words: agent <id> not-ready \"team meeting\"");
            case "calls" or "queues" or "agents" or "registrations" or "reload" or "help" when Arguments.Count != 0:
                throw new UsageException($"'{Command}' takes no argument");
        }
    }

    private static readonly string[] AgentActions = ["ready", "not-ready", "sign-in", "sign-out"];

    private static string Value(IReadOnlyList<string> args, ref int i, string option)
    {
        if (i + 1 >= args.Count || args[i + 1].Length == 0) throw new UsageException($"{option} needs a value");
        return args[++i];
    }

    private static Uri Url(string value, string option) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new UsageException($"{option} must be an http:// or https:// URL (got '{value}')");

    public const string Help = """
        hotlinectl — the Hotline operators' console (engine HTTP API and CTI gRPC, Bearer key)

        usage: hotlinectl [--engine URL] [--cti URL] [--key-file FILE] [--ca FILE] [--json] <command>

          calls                          calls in progress (caller numbers masked)
          queues                         waiting callers and today's figures per queue
          agents                         every agent's state
          registrations                  phones registered with the engine's registrar
          hangup <callId>                end a call (Admin key)
          agent <id> ready               set an agent ready (Supervisor or Admin key)
          agent <id> not-ready [reason]  not ready, reason default "console"
          agent <id> sign-in|sign-out    sign an agent in (not ready) or out
          reload                         re-read the engine's configuration and apply queues, agents,
                                         departments and prompts live (Admin key); lists what changed and
                                         what needs a restart; a bad configuration is refused, nothing changes
          help                           this text

        options:
          --engine URL     engine HTTP API (default $HOTLINE_ENGINE or http://127.0.0.1:5080)
          --cti URL        engine CTI gRPC (default $HOTLINE_CTI or http://127.0.0.1:5081)
          --key-file FILE  file holding the API key (else $HOTLINE_KEY, else the file $HOTLINE_KEY_FILE names;
                           tools/hotlinectl uses tools/run.sh's .data/hotlinectl.key); the key is never printed
          --ca FILE        PEM certificate of the CA that signed the engine's TLS certificate (else $HOTLINE_CA;
                           tools/run.sh's is .data/tls/ca.crt, which tools/hotlinectl uses when present)
          --json           print JSON instead of tables (for scripts)

        exit codes: 0 done; 1 the engine refused, failed or is unreachable; 2 bad usage or missing key
        """;
}
