using Hotline.TicketApi.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hotline.TicketApi.Tests.Data;

/// <summary><c>Database:Provider</c> selects the context and its own migrations; both migration sets match the model.</summary>
[TestFixture]
public sealed class StoreSelectionTests
{
    private static TicketDbContext Create(string provider, string connection)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Tickets"] = connection,
        });
        builder.Services.AddTicketStore(builder.Configuration, builder.Environment);
        var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<Func<TicketDbContext>>()();
    }

    [Test]
    public void SqlServer_is_selected_by_configuration_and_its_migrations_script_the_whole_schema()
    {
        using var db = Create("SqlServer", "Server=nowhere;Database=Hotline;TrustServerCertificate=True");
        var script = db.GetService<IMigrator>().GenerateScript();
        Assert.Multiple(() =>
        {
            Assert.That(db, Is.InstanceOf<SqlServerTicketDbContext>());
            Assert.That(db.Database.IsSqlServer(), Is.True);
            Assert.That(db.Database.GetMigrations(), Has.Some.EndsWith("_Initial").And.Some.EndsWith("_OrderHourRollups"));
            // Every model change has its SqlServer migration too: the same names, in the same order, as Sqlite's.
            using var sqlite = Create("Sqlite", "Data Source=:memory:");
            Assert.That(db.Database.GetMigrations().Select(m => m[15..]), Is.EqualTo(sqlite.Database.GetMigrations().Select(m => m[15..])));
            Assert.That(db.Database.HasPendingModelChanges(), Is.False, "the SqlServer snapshot matches the model");
            Assert.That(script, Does.Contain("CREATE TABLE [WorkOrders]").And.Contain("IDENTITY").And.Contain("CREATE TABLE [OrderHourRollups]"));
        });
    }

    [Test]
    public void Sqlite_is_the_default_and_its_migrations_match_the_model()
    {
        using var db = Create("Sqlite", "Data Source=:memory:");
        Assert.Multiple(() =>
        {
            Assert.That(db, Is.InstanceOf<SqliteTicketDbContext>());
            Assert.That(db.Database.HasPendingModelChanges(), Is.False, "the Sqlite snapshot matches the model");
            Assert.That(db.Database.GetMigrations().Select(m => m[15..]),
                Is.EqualTo(new[] { "Initial", "OrderHourRollups", "CoveringRollupIndexes", "IndicatorsKeysListIndexes", "NatureListIndex", "RuleBooks", "OverdueSupervision" }));
        });
    }
}
