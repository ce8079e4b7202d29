using Hotline.Hosting;
using Microsoft.Extensions.Options;
using Hotline.Tls;
using Serilog;
using Hotline.AcdEngine.Node;

namespace Hotline.AcdEngine.Hosting;

/// <summary>Builds and runs the AcdEngine host; turns configuration errors into a clear message and exit code 2.</summary>
public static class EngineHost
{
    /// <summary>Exit code for a configuration error that stopped the host.</summary>
    public const int ConfigurationErrorExitCode = ConfigurationFailures.ExitCode;

    public static async Task<int> RunAsync(string[] args)
    {
        Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
        ThreadPoolFloor.Raise(); // Before anything blocks a pool thread: see ThreadPoolFloor (Redis Sentinel failover).
        try
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.AddHotlineLogging("acdengine", DataFolder.Resolve(builder.Configuration, builder.Environment));
            builder.AddHotlineTls("TicketApi:Url");
            builder.Services.AddAcdEngine(builder.Configuration);
            builder.AddHotlineMetrics(Stats.CallCounters.MeterName, Hotline.Cti.Sip.Transport.SipMessageCounters.MeterName,
                Hotline.Cti.Media.Clock.MediaClock.MeterName);
            var app = builder.Build();
            // Every option is checked before any service is built: the host resolves its hosted services (the SIP
            // stack binds its ports then) before it runs the ValidateOnStart checks, so a port taken in that instant
            // hid the real configuration error behind "cannot be bound" (seen once under load, issue 21).
            app.Services.GetService<IStartupValidator>()?.Validate();
            app.MapAcdEngine();
            app.MapHotlineMetrics();
            app.WarnIfPlainHttpAllowed();
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ConfigurationFailures.Describe(ex) is { } failures)
        {
            Log.Fatal("Configuration error, AcdEngine not started: {Failures}", failures);
            await Console.Error.WriteLineAsync("Configuration error: " + failures);
            return ConfigurationErrorExitCode;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Fatal(ex, "AcdEngine stopped unexpectedly");
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
