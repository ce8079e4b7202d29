using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Hotline.TicketApi.Data;

/// <summary>
/// A database-wide lock held by one TicketApi instance for its whole migration run, on the context's own connection, so
/// that instances starting at once against one server database apply the migrations one after the other: the second
/// finds them applied. EF Core's own migration lock is not enough on PostgreSQL: Npgsql's is released with each
/// migration's transaction (LockReleaseBehavior.Transaction), so between two migrations another instance could take
/// it, apply the next one, and the first then applied it again ("relation QualityDraws already exists", found 1 Dec
/// 2026). Session-scoped locks last until released or the connection closes (a crashed instance frees them):
/// PostgreSQL <c>pg_advisory_lock</c> (docs §9.28.10), SQL Server <c>sp_getapplock @LockOwner='Session'</c>. SQLite
/// needs nothing more: EF's <c>__EFMigrationsLock</c> row is held explicitly across the whole run (LockReleaseBehavior.Explicit).
/// </summary>
public sealed class MigrationLock : IAsyncDisposable
{
    /// <summary>The advisory lock key: a fixed value private to TicketApi's migrations (advisory keys are
    /// database-wide, so another program on the same database must not use it).</summary>
    public const long PostgreSqlKey = 0x4f1c_5a2e_7d93_0b61;

    /// <summary>The application lock's resource name on SQL Server.</summary>
    public const string SqlServerResource = "hotline.ticketapi.migrations";

    /// <summary>How long an instance waits for another's migration run (a long data migration may take minutes).</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(10);

    private readonly DatabaseFacade _database;
    private readonly StoreDialect _dialect;

    private MigrationLock(DatabaseFacade database, StoreDialect dialect)
    {
        _database = database;
        _dialect = dialect;
    }

    /// <summary>Opens the context's connection (kept open for the migration run) and waits for the lock.</summary>
    public static async Task<MigrationLock> AcquireAsync(DatabaseFacade database, CancellationToken cancellationToken)
    {
        var dialect = StoreDialects.Of(database);
        await database.OpenConnectionAsync(cancellationToken);
        var timeout = database.GetCommandTimeout();
        database.SetCommandTimeout(Wait);
        try
        {
            switch (dialect)
            {
                case StoreDialect.PostgreSql:
                    await database.ExecuteSqlAsync($"SELECT pg_advisory_lock({PostgreSqlKey})", cancellationToken);
                    break;
                case StoreDialect.SqlServer:
                    // Result < 0 is a timeout/deadlock/error: THROW turns it into an exception instead of running unlocked.
                    await database.ExecuteSqlAsync(
                        $"""
                        DECLARE @r int; EXEC @r = sp_getapplock @Resource = {SqlServerResource}, @LockMode = N'Exclusive', @LockOwner = N'Session', @LockTimeout = {(int)Wait.TotalMilliseconds};
                        IF @r < 0 THROW 50000, N'TicketApi migration lock not obtained', 1;
                        """, cancellationToken);
                    break;
            }
        }
        catch
        {
            await database.CloseConnectionAsync();
            throw;
        }
        finally
        {
            database.SetCommandTimeout(timeout);
        }
        return new MigrationLock(database, dialect);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            switch (_dialect)
            {
                case StoreDialect.PostgreSql:
                    await _database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({PostgreSqlKey})");
                    break;
                case StoreDialect.SqlServer:
                    await _database.ExecuteSqlAsync($"EXEC sp_releaseapplock @Resource = {SqlServerResource}, @LockOwner = N'Session'");
                    break;
            }
        }
        finally
        {
            // A crashed instance's session ends with its connection, which frees the lock; a living one unlocked above.
            await _database.CloseConnectionAsync();
        }
    }
}
