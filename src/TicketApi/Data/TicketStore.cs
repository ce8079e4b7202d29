using Hotline.TicketApi.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Data;

/// <summary>Registers the DbContext for <c>Database:Provider</c> and applies that provider's migrations at start.</summary>
public static class TicketStore
{
    public static IServiceCollection AddTicketStore(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var provider = configuration[$"{DatabaseOptions.Section}:Provider"] ?? "Sqlite";
        var connection = configuration.GetConnectionString("Tickets");
        if (string.Equals(provider, "SqlServer", StringComparison.Ordinal))
        {
            services.AddDbContextFactory<SqlServerTicketDbContext>(o => o.UseSqlServer(connection));
            services.AddScoped<TicketDbContext>(sp => sp.GetRequiredService<IDbContextFactory<SqlServerTicketDbContext>>().CreateDbContext());
            services.AddSingleton<Func<TicketDbContext>>(sp => () => sp.GetRequiredService<IDbContextFactory<SqlServerTicketDbContext>>().CreateDbContext());
        }
        else
        {
            if (string.IsNullOrWhiteSpace(connection))
                connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataFolder.Resolve(configuration, environment), "tickets.db") }.ToString();
            services.AddDbContextFactory<SqliteTicketDbContext>(o => o.UseSqlite(connection));
            services.AddScoped<TicketDbContext>(sp => sp.GetRequiredService<IDbContextFactory<SqliteTicketDbContext>>().CreateDbContext());
            services.AddSingleton<Func<TicketDbContext>>(sp => () => sp.GetRequiredService<IDbContextFactory<SqliteTicketDbContext>>().CreateDbContext());
        }
        return services;
    }

    /// <summary>Applies migrations; on SQLite also WAL mode (readers don't block the ingest writer).</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var create = services.GetRequiredService<Func<TicketDbContext>>();
        await using var db = create();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
