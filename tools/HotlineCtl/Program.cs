using Hotline.HotlineCtl;

// hotlinectl (issue 20): exit 0 done, 1 the engine refused/failed/is unreachable, 2 bad usage or no key.
// Every error is one line on stderr; the key is never printed.
try
{
    var line = CtlCommandLine.Parse(args, Environment.GetEnvironmentVariable);
    if (line.Command == "help")
    {
        Console.Out.WriteLine(CtlCommandLine.Help);
        return 0;
    }
    var key = line.ReadKey(Environment.GetEnvironmentVariable);
    using var engine = new EngineConnection(line, key);
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };
    await new CtlCommands(line, engine, Console.Out).RunAsync(cancel.Token);
    return 0;
}
catch (UsageException ex)
{
    Console.Error.WriteLine("hotlinectl: " + ex.Message);
    return 2;
}
catch (CtlFailure ex)
{
    Console.Error.WriteLine("hotlinectl: " + ex.Message);
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("hotlinectl: cancelled");
    return 1;
}
