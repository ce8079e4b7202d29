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

/// <summary>A private in-memory SQLite database with the real migrations applied; lives while it is open.</summary>
internal sealed class TestStore : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public TestStore()
    {
        _connection.Open();
        using var db = Create();
        db.Database.Migrate();
    }

    public TicketDbContext Create() =>
        new SqliteTicketDbContext(new DbContextOptionsBuilder<SqliteTicketDbContext>().UseSqlite(_connection)
            // A query shape EF warns about (Take without OrderBy: issue 20) fails the test that runs it.
            .ConfigureWarnings(w => w.Throw(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.RowLimitingOperationWithoutOrderByWarning)).Options);

    public void Dispose() => _connection.Dispose();
}
