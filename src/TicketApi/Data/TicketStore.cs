using Hotline.Hosting;
using System.Data.Common;
using Hotline.TicketApi.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Hotline.TicketApi.Data;

/// <summary>Registers the DbContext for <c>Database:Provider</c> and applies that provider's migrations at start.</summary>
public static class TicketStore
{
    public static IServiceCollection AddTicketStore(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var provider = configuration[$"{DatabaseOptions.Section}:Provider"] ?? "Sqlite";
        var connection = configuration.GetConnectionString("Tickets");
        switch (provider)
        {
            case "SqlServer":
                return services.AddContext<SqlServerTicketDbContext>(o => o.UseSqlServer(connection));
            case "PostgreSql":
                return services.AddContext<PostgreSqlTicketDbContext>(o => o.UseNpgsql(connection));
            default:
                if (string.IsNullOrWhiteSpace(connection))
                    connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataFolder.Resolve(configuration, environment), "tickets.db") }.ToString();
                return services.AddContext<SqliteTicketDbContext>(o => o.UseSqlite(connection));
        }
    }

    private static IServiceCollection AddContext<T>(this IServiceCollection services, Action<DbContextOptionsBuilder> configure)
        where T : TicketDbContext
    {
        services.AddDbContextFactory<T>(configure);
        services.AddScoped<TicketDbContext>(sp => sp.GetRequiredService<IDbContextFactory<T>>().CreateDbContext());
        services.AddSingleton<Func<TicketDbContext>>(sp => () => sp.GetRequiredService<IDbContextFactory<T>>().CreateDbContext());
        return services;
    }

    /// <summary>
    /// Applies migrations; on SQLite also WAL mode (readers don't block the ingest writer). Several TicketApi instances
    /// may start at once on one server database: each runs its migrations under <see cref="MigrationLock"/>, so one
    /// applies them and the others find them applied.
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var create = services.GetRequiredService<Func<TicketDbContext>>();
        await using var db = create();
        await MigrateAsync(db, cancellationToken);
    }

    /// <inheritdoc cref="MigrateAsync(IServiceProvider, CancellationToken)"/>
    public static async Task MigrateAsync(TicketDbContext db, CancellationToken cancellationToken)
    {
        await CreateDatabaseAsync(db, cancellationToken);
        await using (await MigrationLock.AcquireAsync(db.Database, cancellationToken))
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>
    /// Creates a missing server database before the lock (the lock needs a connection to it), as MigrateAsync would;
    /// when two instances race to create it, the loser finds it created.
    /// </summary>
    private static async Task CreateDatabaseAsync(TicketDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite()) return;
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync(cancellationToken)) return;
        try
        {
            await creator.CreateAsync(cancellationToken);
        }
        catch (DbException)
        {
            if (!await creator.ExistsAsync(cancellationToken)) throw;
        }
    }
}
