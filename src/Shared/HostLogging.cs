using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Hotline.Hosting;

/// <summary>
/// Serilog for both programs (one source file, compiled into each): console plus a daily rolling file under the data
/// folder, or under <c>Logging:Path</c> when set (the Debian package: <c>/var/log/hotline</c>). <c>Logging:Json=true</c> writes both as JSON lines (one event per line, every property, the call id among
/// them for a call's lines) for a log shipper; otherwise text for people.
/// </summary>
public static class HostLogging
{
    public static WebApplicationBuilder AddHotlineLogging(this WebApplicationBuilder builder, string program, string dataPath)
    {
        var folder = builder.Configuration["Logging:Path"] is { Length: > 0 } configured ? configured : Path.Combine(dataPath, "logs");
        var logPath = Path.Combine(Path.GetFullPath(folder, builder.Environment.ContentRootPath), program + "-.log");
        var json = builder.Configuration.GetValue("Logging:Json", false);
        builder.Services.AddSerilog((services, config) =>
        {
            config.ReadFrom.Configuration(builder.Configuration)
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
                .Enrich.FromLogContext()
                .Enrich.WithProperty("Program", program);
            if (json)
            {
                config.WriteTo.Console(new JsonFormatter(renderMessage: true))
                    .WriteTo.File(new JsonFormatter(renderMessage: true), logPath, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14);
                return;
            }
            config.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
                .WriteTo.File(logPath, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14,
                    outputTemplate: "{Timestamp:o} [{Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}");
        });
        return builder;
    }
}
