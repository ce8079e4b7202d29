using Hotline.Hosting;
using Microsoft.Extensions.Options;
using Hotline.Tls;
using Serilog;
using Hotline.TicketApi.Data;

namespace Hotline.TicketApi.Hosting;

/// <summary>Builds and runs the TicketApi host; turns configuration errors into a clear message and exit code 2.</summary>
public static class TicketHost
{
    /// <summary>Exit code for a configuration error that stopped the host.</summary>
    public const int ConfigurationErrorExitCode = ConfigurationFailures.ExitCode;

    public static async Task<int> RunAsync(string[] args)
    {
        Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
        try
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.AddHotlineLogging("ticketapi", DataFolder.Resolve(builder.Configuration, builder.Environment));
            builder.AddHotlineTls("AcdEngine:Url");
            builder.Services.AddTicketApi(builder.Configuration, builder.Environment);
            builder.AddHotlineMetrics(Metrics.TicketMetrics.MeterName);
            var app = builder.Build();
            app.MapTicketApi();
            app.MapHotlineMetrics();
            app.WarnIfPlainHttpAllowed();
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ConfigurationFailures.Describe(ex) is { } failures)
        {
            Log.Fatal("Configuration error, TicketApi not started: {Failures}", failures);
            await Console.Error.WriteLineAsync("Configuration error: " + failures);
            return ConfigurationErrorExitCode;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Fatal(ex, "TicketApi stopped unexpectedly");
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
