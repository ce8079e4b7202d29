using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Hotline.TicketApi.Tests.Data;

/// <summary>Issue 22: the DayRollups migration fills the day rollups from an upgraded database's hour rollups.</summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class DayRollupMigrationTests(StoreKind kind)
{
    [Test]
    public async Task An_upgraded_database_gets_day_rollups_that_sum_its_hour_rollups()
    {
        await using var sqlite = new SqliteConnection("Data Source=:memory:");
        string? postgres = null;
        if (kind == StoreKind.PostgreSql)
        {
            var server = await SharedPostgres.ServerAsync();
            var name = "m_" + Guid.NewGuid().ToString("N");
            await server.CreateDatabaseAsync(name);
            postgres = server.ConnectionString(name);
        }
        else
        {
            await sqlite.OpenAsync();
        }
        TicketDbContext Create() => postgres is not null
            ? new PostgreSqlTicketDbContext(new DbContextOptionsBuilder<PostgreSqlTicketDbContext>().UseNpgsql(postgres).Options)
            : new SqliteTicketDbContext(new DbContextOptionsBuilder<SqliteTicketDbContext>().UseSqlite(sqlite).Options);

        // Hour 491,000 is 2026-01-05 08:00 UTC (day 20,458); hour 491,020 is 04:00 the next day.
        await using (var db = Create())
        {
            await db.GetService<IMigrator>().MigrateAsync("QualitySampleIndex");
            db.CallHourRollups.AddRange(
                new CallHourRollup { Key = "491000|general|a1", Hour = 491_000, Queue = "general", AgentId = "a1", Offered = 3, Answered = 2, AnswerWaitMsTotal = 7000, Rated = 1, Satisfied = 1 },
                new CallHourRollup { Key = "491001|general|a1", Hour = 491_001, Queue = "general", AgentId = "a1", Offered = 4, Answered = 4, AnswerWaitMsTotal = 9000 },
                new CallHourRollup { Key = "491020|general|a1", Hour = 491_020, Queue = "general", AgentId = "a1", Offered = 1, Abandoned = 1 },
                new CallHourRollup { Key = "491001|general|", Hour = 491_001, Queue = "general", AgentId = "", Offered = 2, Abandoned = 2 });
            db.OrderHourRollups.AddRange(
                new OrderHourRollup { Key = "491000|department|roads", Hour = 491_000, Dimension = "department", Value = "roads", Registered = 2, DispatchedOnTime = 1, Returned = 1 },
                new OrderHourRollup { Key = "491002|department|roads", Hour = 491_002, Dimension = "department", Value = "roads", Registered = 1, DispatchedLate = 1 });
            await db.SaveChangesAsync();
        }
        await using (var db = Create())
        {
            await db.Database.MigrateAsync();
            var calls = await db.CallDayRollups.AsNoTracking().OrderBy(r => r.Key).ToListAsync();
            Assert.That(calls.Select(r => (r.Key, r.Day, r.Queue, r.AgentId, r.Offered, r.Answered, r.Abandoned, r.AnswerWaitMsTotal, r.Rated, r.Satisfied)), Is.EqualTo(new[]
            {
                ("20458|general|", 20458L, "general", "", 2, 0, 2, 0L, 0, 0),
                ("20458|general|a1", 20458L, "general", "a1", 7, 6, 0, 16000L, 1, 1),
                ("20459|general|a1", 20459L, "general", "a1", 1, 0, 1, 0L, 0, 0),
            }));
            var orders = await db.OrderDayRollups.AsNoTracking().SingleAsync();
            Assert.That((orders.Key, orders.Day, orders.Registered, orders.DispatchedOnTime, orders.DispatchedLate, orders.Returned),
                Is.EqualTo(("20458|department|roads", 20458L, 3, 1, 1, 1)));
        }
        if (postgres is not null) Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(postgres));
    }
}
