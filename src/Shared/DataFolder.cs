using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Hotline.Hosting;

/// <summary>
/// Where a program keeps its files (<c>Data:Path</c>, default <c>data</c> under the content root): the engine its
/// outbox, recordings and logs, TicketApi its SQLite database and logs. One source file, compiled into each program.
/// </summary>
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
