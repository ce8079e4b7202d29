using Hotline.TicketApi.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Hotline.TicketApi.Tests.Data;

/// <summary>
/// Several TicketApi instances starting at once on one fresh database (scaling.md): each runs
/// <see cref="TicketStore.MigrateAsync(TicketDbContext, CancellationToken)"/> at the same moment; every one succeeds and
/// every migration is applied exactly once. Before <see cref="MigrationLock"/> the PostgreSQL case failed with
/// "relation ... already exists" (Npgsql's own lock is released between migrations).
/// </summary>
[TestFixture]
public sealed class ConcurrentMigrationTests
{
    private const int Instances = 6;

    [Test]
    public async Task Instances_migrating_a_fresh_PostgreSQL_database_at_once_all_succeed_and_apply_each_migration_once(
        [Values(false, true)] bool databaseExists)
    {
        var server = await SharedPostgres.ServerAsync();
        var name = "m_" + Guid.NewGuid().ToString("N");
        if (databaseExists) await server.CreateDatabaseAsync(name);
        var connection = server.ConnectionString(name);
        PostgreSqlTicketDbContext Create() => new(new DbContextOptionsBuilder<PostgreSqlTicketDbContext>().UseNpgsql(connection).Options);

        await MigrateAtOnceAsync(Create);

        await using var db = Create();
        Assert.Multiple(async () =>
        {
            Assert.That(await db.Database.GetAppliedMigrationsAsync(), Is.EqualTo(db.Database.GetMigrations()));
            Assert.That(await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM \"__EFMigrationsHistory\"").SingleAsync(),
                Is.EqualTo(db.Database.GetMigrations().Count()), "each migration recorded once");
            Assert.That(await db.Database.SqlQueryRaw<long>($"SELECT count(*) AS \"Value\" FROM pg_locks WHERE locktype = 'advisory' AND objid = {MigrationLock.PostgreSqlKey & 0xFFFF_FFFF}").SingleAsync(),
                Is.Zero, "no instance still holds the lock");
        });
    }

    [Test]
    public async Task Instances_migrating_a_fresh_SQLite_file_at_once_all_succeed()
    {
        var folder = Directory.CreateTempSubdirectory("hotline-migrate-");
        try
        {
            var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder.FullName, "tickets.db"), Pooling = false }.ToString();
            SqliteTicketDbContext Create() => new(new DbContextOptionsBuilder<SqliteTicketDbContext>().UseSqlite(connection).Options);

            await MigrateAtOnceAsync(Create);

            await using var db = Create();
            Assert.That(await db.Database.GetAppliedMigrationsAsync(), Is.EqualTo(db.Database.GetMigrations()));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task MigrateAtOnceAsync(Func<TicketDbContext> create)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var start = new Barrier(Instances);
        var runs = Enumerable.Range(0, Instances).Select(_ => Task.Run(async () =>
        {
            await using var db = create();
            start.SignalAndWait(cts.Token);
            await TicketStore.MigrateAsync(db, cts.Token);
        })).ToArray();
        var all = Task.WhenAll(runs);
        try
        {
            await all;
        }
        catch
        {
            Assert.Fail("a concurrent migration failed: " + string.Join("\n", runs.Where(r => r.IsFaulted).Select(r => r.Exception!.InnerException!.Message)));
        }
    }
}
