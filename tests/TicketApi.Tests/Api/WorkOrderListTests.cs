using System.Security.Claims;
using Hotline.TicketApi.Api;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.WorkOrders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Hotline.TicketApi.Tests.Fixtures;

namespace Hotline.TicketApi.Tests.Api;

/// <summary>GET /api/workorders over many orders: newest first, keyset pages that neither skip nor repeat, a capped count.</summary>
[TestFixture(StoreKind.Sqlite)]
[TestFixture(StoreKind.PostgreSql)]
public sealed class WorkOrderListTests(StoreKind kind)
{
    private TestStore _store = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(Local(2026, 12, 1), TimeSpan.Zero));
    private static readonly ClaimsPrincipal Admin = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, Roles.Admin)], "test"));

    [SetUp]
    public void SetUp() => _store = new TestStore(kind);

    [TearDown]
    public void TearDown() => _store.Dispose();

    /// <summary>
    /// <paramref name="count"/> orders, one a minute from 1 Nov 00:00 UTC; every 4th is dispatched to "roads"; every pair of
    /// orders shares a creation minute (ties broken by id). Status 2 = Dispatched, 0 = Registered.
    /// </summary>
    private async Task SeedAsync(int count)
    {
        await using var db = _store.Create();
#pragma warning disable EF1002 // count is an int of the test's own
        if (kind == StoreKind.PostgreSql)
        {
            await db.Database.ExecuteSqlRawAsync($"""
                INSERT INTO "WorkOrders" ("Kind", "Channel", "Status", "IsMajor", "IsEmergency", "Content", "ConfidentialReporter", "DepartmentId",
                  "CreatedAt", "CreatedHour", "ExtensionsGranted", "ReturnCount", "ReworkCount", "ReopenCount", "Supervised", "Version", "AboutHotline")
                SELECT 0, 0, CASE WHEN i % 4 = 0 THEN 2 ELSE 0 END, false, false, 'order ' || i, false, CASE WHEN i % 4 = 0 THEN 'roads' END,
                  timestamptz '2026-11-01 00:00:00+00' + (i / 2) * interval '1 minute', 0, 0, 0, 0, 0, false, 1, false
                FROM generate_series(1, {count}) AS i
                """);
            return;
        }
        await db.Database.ExecuteSqlRawAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
            INSERT INTO WorkOrders (Kind, Channel, Status, IsMajor, IsEmergency, Content, ConfidentialReporter, DepartmentId, CreatedAt,
              CreatedHour, ExtensionsGranted, ReturnCount, ReworkCount, ReopenCount, Supervised, Version, AboutHotline)
            SELECT 0, 0, CASE WHEN i % 4 = 0 THEN 2 ELSE 0 END, 0, 0, 'order ' || i, 0, CASE WHEN i % 4 = 0 THEN 'roads' END,
              strftime('%Y-%m-%d %H:%M:%S', '2026-11-01', '+' || (i / 2) || ' minutes'), 0, 0, 0, 0, 0, 0, 1, 0
            FROM n
            """);
#pragma warning restore EF1002
    }

    private async Task<PageOf<WorkOrderView>> ListAsync(WorkOrderStatus? status = null, string? department = null, long? afterId = null, int pageSize = 50)
    {
        await using var db = _store.Create();
        var result = await WorkOrdersApi.ListAsync(Admin, db, _time, Options.Create(new CatalogueOptions()), CancellationToken.None, status: status, department: department,
            pageSize: pageSize, afterId: afterId);
        Assert.That(result.Result, Is.InstanceOf<Ok<PageOf<WorkOrderView>>>(), "a page, not a problem");
        return ((Ok<PageOf<WorkOrderView>>)result.Result).Value!;
    }

    [Test]
    public async Task Keyset_pages_walk_every_matching_order_once_newest_first()
    {
        await SeedAsync(103);
        var seen = new List<long>();
        long? after = null;
        do
        {
            var page = await ListAsync(status: WorkOrderStatus.Registered, pageSize: 10, afterId: after);
            Assert.That(page.Items.Select(o => o.Status), Is.All.EqualTo(WorkOrderStatus.Registered));
            seen.AddRange(page.Items.Select(o => o.Id));
            after = page.NextAfterId;
        }
        while (after is not null);
        // 103 orders, ids 1…103; registered: those not divisible by 4 (78). Newest first = by CreatedAt (i / 2 minutes), then id.
        var expected = Enumerable.Range(1, 103).Where(i => i % 4 != 0).OrderByDescending(i => i / 2).ThenByDescending(i => i).Select(i => (long)i);
        Assert.That(seen, Is.EqualTo(expected));
    }

    [Test]
    public async Task The_count_stops_at_the_cap_and_says_so()
    {
        await SeedAsync(WorkOrdersApi.TotalCap + 5);
        var all = await ListAsync();
        var roads = await ListAsync(department: "roads");
        Assert.Multiple(() =>
        {
            Assert.That(all.Total, Is.EqualTo(WorkOrdersApi.TotalCap));
            Assert.That(all.TotalCapped, Is.True);
            Assert.That(all.Items[0].Id, Is.EqualTo(WorkOrdersApi.TotalCap + 5), "the newest first");
            Assert.That(roads.Total, Is.EqualTo((WorkOrdersApi.TotalCap + 5) / 4), "under the cap: exact");
            Assert.That(roads.TotalCapped, Is.False);
            Assert.That(roads.Items.Select(o => o.DepartmentId), Is.All.EqualTo("roads"));
        });
    }

    [Test]
    public async Task An_unknown_or_bad_afterId_is_a_validation_problem_naming_the_field()
    {
        await SeedAsync(3);
        await using var db = _store.Create();
        foreach (var after in new long[] { 0, 999 })
        {
            var result = await WorkOrdersApi.ListAsync(Admin, db, _time, Options.Create(new CatalogueOptions()), CancellationToken.None, afterId: after);
            Assert.That(result.Result, Is.InstanceOf<ValidationProblem>());
            Assert.That(((ValidationProblem)result.Result).ProblemDetails.Errors.Keys, Has.Member("afterId"));
        }
    }
}
