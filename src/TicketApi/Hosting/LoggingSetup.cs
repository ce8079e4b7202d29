using Serilog;
using Serilog.Events;

namespace Hotline.TicketApi.Hosting;

/// <summary>Serilog for the host: console plus a daily rolling file under the data folder.</summary>
public static class LoggingSetup
{
    public static WebApplicationBuilder AddHotlineLogging(this WebApplicationBuilder builder, string program)
    {
        var dataPath = DataFolder.Resolve(builder.Configuration, builder.Environment);
        var logPath = Path.Combine(dataPath, "logs", program + "-.log");
        builder.Services.AddSerilog((services, config) => config
            .ReadFrom.Configuration(builder.Configuration)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Program", program)
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(logPath, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14,
                outputTemplate: "{Timestamp:o} [{Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}"));
        return builder;
    }
}

/// <summary>Where TicketApi keeps its SQLite database and logs (<c>Data:Path</c>, default <c>data</c> under the content root).</summary>
public static class DataFolder
{
    public static string Resolve(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration["Data:Path"];
        var path = string.IsNullOrWhiteSpace(configured) ? "data" : configured;
        path = Path.GetFullPath(Path.Combine(environment.ContentRootPath, path));
        Directory.CreateDirectory(path);
        return path;
    }
}
