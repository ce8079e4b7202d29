using Hotline.TicketApi.Calendar;
using Hotline.TicketApi.WorkOrders;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Hotline.TicketApi.Data;

namespace Hotline.TicketApi.Tests;

/// <summary>Shared fixtures: the default (Asia/Shanghai, China 2026) calendar and a migrated SQLite store.</summary>
internal static class Fixtures
{
    public static WorkingCalendar Calendar { get; } = new CalendarOptions().Build();
    public static DeadlineRules Rules { get; } = new(Calendar);

    /// <summary>A UTC instant from a Beijing local time.</summary>
    public static DateTime Local(int y, int mo, int d, int h = 0, int mi = 0) =>
        new DateTimeOffset(y, mo, d, h, mi, 0, TimeSpan.FromHours(8)).UtcDateTime;
}

/// <summary>The databases the store tests run on (the fixtures taking a <see cref="StoreKind"/> run once on each).</summary>
public enum StoreKind
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// A private database with the real migrations applied: in-memory SQLite (lives while it is open), or a database
/// of its own on the shared test PostgreSQL server (<see cref="SharedPostgres"/>).
/// </summary>
internal sealed class TestStore : IDisposable
{
    private readonly SqliteConnection? _connection;
    private readonly string? _postgres;

    public TestStore(StoreKind kind = StoreKind.Sqlite)
    {
        Kind = kind;
        if (kind == StoreKind.PostgreSql)
        {
            _postgres = SharedPostgres.NewDatabaseAsync().GetAwaiter().GetResult();
            return;
        }
        _connection = new SqliteConnection("Data Source=:memory:");
        _connection.Open();
        using var db = Create();
        db.Database.Migrate();
    }

    public StoreKind Kind { get; }

    // A query shape EF warns about (Take without OrderBy: issue 20) fails the test that runs it.
    public TicketDbContext Create() => _postgres is not null
        ? new PostgreSqlTicketDbContext(new DbContextOptionsBuilder<PostgreSqlTicketDbContext>().UseNpgsql(_postgres)
            .ConfigureWarnings(w => w.Throw(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.RowLimitingOperationWithoutOrderByWarning)).Options)
        : new SqliteTicketDbContext(new DbContextOptionsBuilder<SqliteTicketDbContext>().UseSqlite(_connection!)
            .ConfigureWarnings(w => w.Throw(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.RowLimitingOperationWithoutOrderByWarning)).Options);

    public void Dispose()
    {
        _connection?.Dispose();
        if (_postgres is not null) Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(_postgres));
    }
}
