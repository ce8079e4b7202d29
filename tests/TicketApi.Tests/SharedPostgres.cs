using Hotline.TestSupport;
using Hotline.TicketApi.Data;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Tests;

/// <summary>
/// One real PostgreSQL server for this test assembly, started on first use: the migrations are applied once to a
/// template database, and every <see cref="TestStore"/> gets a copy of it (<c>createdb -T</c>, ~50 ms).
/// </summary>
[SetUpFixture]
public sealed class SharedPostgres
{
    private const string Template = "store_template";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresServer? _server;

    public static async Task<PostgresServer> ServerAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_server is not null) return _server;
            var server = await PostgresServer.StartAsync();
            await server.CreateDatabaseAsync(Template);
            var template = server.ConnectionString(Template);
            await using (var db = new PostgreSqlTicketDbContext(new DbContextOptionsBuilder<PostgreSqlTicketDbContext>().UseNpgsql(template).Options))
                await db.Database.MigrateAsync();
            // A template may not be copied while anyone is connected to it.
            Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(template));
            return _server = server;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A new migrated database; returns its connection string.</summary>
    public static async Task<string> NewDatabaseAsync()
    {
        var server = await ServerAsync();
        var name = "t_" + Guid.NewGuid().ToString("N");
        await server.CreateDatabaseAsync(name, Template);
        return server.ConnectionString(name);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _server = null;
    }
}
