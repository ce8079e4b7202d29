using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Calls;
using Hotline.TicketApi.Metrics;
using Hotline.TicketApi.Quality;
using Hotline.TicketApi.WorkOrders;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Hotline.TicketApi.Data;

/// <summary>
/// The ticket store. Provider-neutral model; <see cref="SqliteTicketDbContext"/>, <see cref="SqlServerTicketDbContext"/>
/// and <see cref="PostgreSqlTicketDbContext"/> carry each provider's own migrations.
/// </summary>
public abstract class TicketDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>
    /// The calls a quality sample is drawn from, as SQL (double-quoted names: SQLite, PostgreSQL and SQL Server with
    /// QUOTED_IDENTIFIER, which filtered indexes require anyway).
    /// </summary>
    internal const string QualitySampleFilter =
        "\"AgentId\" IS NOT NULL AND \"AnsweredAt\" IS NOT NULL AND \"Recording\" IS NOT NULL AND \"Recording\" <> ''";

    public DbSet<WorkOrder> WorkOrders => Set<WorkOrder>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<CallRecord> Calls => Set<CallRecord>();
    public DbSet<CallEventRow> CallEvents => Set<CallEventRow>();
    public DbSet<AgentEventRow> AgentEvents => Set<AgentEventRow>();
    public DbSet<RejectedEvent> RejectedEvents => Set<RejectedEvent>();
    public DbSet<CallHourRollup> CallHourRollups => Set<CallHourRollup>();
    public DbSet<OrderHourRollup> OrderHourRollups => Set<OrderHourRollup>();
    public DbSet<CallDayRollup> CallDayRollups => Set<CallDayRollup>();
    public DbSet<CallQueueHourRollup> CallQueueHourRollups => Set<CallQueueHourRollup>();
    public DbSet<OrderDayRollup> OrderDayRollups => Set<OrderDayRollup>();
    public DbSet<ExclusionWindow> ExclusionWindows => Set<ExclusionWindow>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<QualityScore> QualityScores => Set<QualityScore>();
    public DbSet<QualityDraw> QualityDraws => Set<QualityDraw>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every time is UTC; the store gives back "unspecified" kinds, so mark them on the way out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<string>().HaveMaxLength(400);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WorkOrder>(b =>
        {
            b.HasKey(o => o.Id);
            b.Ignore(o => o.Number);
            b.Property(o => o.Content).HasMaxLength(4000);
            b.Property(o => o.Reply).HasMaxLength(4000);
            b.Property(o => o.Resolution).HasMaxLength(4000);
            b.Property(o => o.Version).IsConcurrencyToken();
            b.HasMany(o => o.Audit).WithOne().HasForeignKey(a => a.WorkOrderId);
            // Serve the list filters and the order indicators (timely dispatch, on-time reply, rework, callback).
            b.HasIndex(o => new { o.CreatedAt, o.DepartmentId, o.Status });
            b.HasIndex(o => new { o.DepartmentId, o.CreatedAt });
            b.HasIndex(o => new { o.Status, o.DeadlineAt });
            b.HasIndex(o => o.CallId);
            // Open orders by status and hour: the live "due but not done" part of the order indicators.
            b.HasIndex(o => new { o.Status, o.CreatedHour });
            // GET /api/workorders pages newest first (CreatedAt, then Id, descending): each filter's index ends in CreatedAt so
            // a page is read in index order, not sorted ((DepartmentId, CreatedAt) and (CreatedAt, …) above serve the rest).
            b.HasIndex(o => new { o.Status, o.CreatedAt });
            b.HasIndex(o => new { o.DepartmentId, o.Status, o.CreatedAt });
            // The desk's nature filter (?nature=), newest first like the others.
            b.HasIndex(o => new { o.Nature, o.CreatedAt });
            // The overdue filter: registered/returned past their dispatch cut-off (dispatched past the deadline: Status, DeadlineAt).
            b.HasIndex(o => new { o.Status, o.DispatchDueAt });
            // The screen pop's caller history (issue 17): a number's orders, newest first.
            b.HasIndex(o => new { o.CallerNumber, o.CreatedAt });
        });
        modelBuilder.Entity<AuditEntry>(b =>
        {
            b.Property(a => a.Detail).HasMaxLength(4000);
            b.HasIndex(a => new { a.WorkOrderId, a.Id });
        });
        modelBuilder.Entity<CallRecord>(b =>
        {
            b.HasKey(c => c.CallId);
            b.Property(c => c.CallId).HasMaxLength(64);
            b.HasIndex(c => c.OfferedAt);
            b.HasIndex(c => c.RatedAt);   // metrics' exact path: ratings inside an hour cut by a period edge
            // The screen pop's caller history (issue 17): a number's calls, newest first.
            b.HasIndex(c => new { c.CallerNumber, c.OfferedAt });
            // The quality review's sample (issue 17): an agent's calls in a month.
            b.HasIndex(c => new { c.AgentId, c.OfferedAt });
            // ... and only those a sample is drawn from (answered by an agent, recorded), with the call id in the key: the
            // sample's read of ~10,000 calls of an agent's month walks this index alone instead of fetching ~10,000 rows
            // scattered over a month of a million (measured: ~100–450 ms → ~15–30 ms, docs/benchmarks.md). The filter is
            // QualityReview.Recorded's condition, term for term (SQLite uses a partial index only when the query says so).
            b.HasIndex(c => new { c.AgentId, c.OfferedAt, c.CallId }, "IX_Calls_QualitySample")
                .HasFilter(QualitySampleFilter);
        });
        modelBuilder.Entity<CallEventRow>(b =>
        {
            b.HasKey(e => e.EventId);
            b.Property(e => e.EventId).HasMaxLength(64);
            b.Property(e => e.CallId).HasMaxLength(64);
            b.Property(e => e.Payload).HasMaxLength(8000);
            b.HasIndex(e => new { e.CallId, e.Sequence });
        });
        modelBuilder.Entity<AgentEventRow>(b =>
        {
            b.HasKey(e => e.EventId);
            b.Property(e => e.EventId).HasMaxLength(64);
            b.HasIndex(e => new { e.AgentId, e.Sequence });
        });
        modelBuilder.Entity<RejectedEvent>(b => b.Property(e => e.Payload).HasMaxLength(8000));
        modelBuilder.Entity<CallHourRollup>(b =>
        {
            b.HasKey(r => r.Key);
            b.Property(r => r.Key).HasMaxLength(200);
            // Covering: a month's sums are read from the index alone (SQLite has no INCLUDE columns).
            b.HasIndex(r => new { r.Hour, r.Queue, r.AgentId, r.Offered, r.Answered, r.AnsweredWithinServiceLevel, r.Abandoned, r.AnswerWaitMsTotal, r.Rated, r.Satisfied, r.BasicallySatisfied })
                .HasDatabaseName("IX_CallHourRollups_Covering");
        });
        modelBuilder.Entity<OrderHourRollup>(b =>
        {
            b.HasKey(r => r.Key);
            b.Property(r => r.Key).HasMaxLength(500);
            b.HasIndex(r => new { r.Dimension, r.Hour, r.Value, r.DispatchedOnTime, r.DispatchedLate, r.RepliedOnTime, r.RepliedLate, r.Reworked, r.CalledBackOnTime, r.CalledBackLate, r.CallbackSatisfied, r.Registered, r.CallerAnswered, r.SmsReceived, r.SmsAnsweredSameDay, r.HotlineComplaints, r.Returned, r.FlaggedOverdue })
                .HasDatabaseName("IX_OrderHourRollups_Covering");
        });
        // Issue 22: the same rollups per UTC day, covering like the hour ones; a year by agent reads ~37,000 rows of each.
        modelBuilder.Entity<CallDayRollup>(b =>
        {
            b.HasKey(r => r.Key);
            b.Property(r => r.Key).HasMaxLength(200);
            b.HasIndex(r => new { r.Day, r.Queue, r.AgentId, r.Offered, r.Answered, r.AnsweredWithinServiceLevel, r.Abandoned, r.AnswerWaitMsTotal, r.Rated, r.Satisfied, r.BasicallySatisfied })
                .HasDatabaseName("IX_CallDayRollups_Covering");
        });
        // Issue 22: hour × queue, without the agent; a month's hour, local-day, month, queue and total figures read ~1,440
        // rows of it instead of ~72,000 queue × agent hour rows. Covering, like the others.
        modelBuilder.Entity<CallQueueHourRollup>(b =>
        {
            b.HasKey(r => r.Key);
            b.Property(r => r.Key).HasMaxLength(200);
            b.HasIndex(r => new { r.Hour, r.Queue, r.Offered, r.Answered, r.AnsweredWithinServiceLevel, r.Abandoned, r.AnswerWaitMsTotal, r.Rated, r.Satisfied, r.BasicallySatisfied })
                .HasDatabaseName("IX_CallQueueHourRollups_Covering");
        });
        modelBuilder.Entity<OrderDayRollup>(b =>
        {
            b.HasKey(r => r.Key);
            b.Property(r => r.Key).HasMaxLength(500);
            b.HasIndex(r => new { r.Dimension, r.Day, r.Value, r.DispatchedOnTime, r.DispatchedLate, r.RepliedOnTime, r.RepliedLate, r.Reworked, r.CalledBackOnTime, r.CalledBackLate, r.CallbackSatisfied, r.Registered, r.CallerAnswered, r.SmsReceived, r.SmsAnsweredSameDay, r.HotlineComplaints, r.Returned, r.FlaggedOverdue })
                .HasDatabaseName("IX_OrderDayRollups_Covering");
        });
        modelBuilder.Entity<QualityScore>(b =>
        {
            b.Property(s => s.CallId).HasMaxLength(64);
            b.Property(s => s.AgentId).HasMaxLength(64);
            b.Property(s => s.Comment).HasMaxLength(2000);
            b.HasIndex(s => new { s.CallId, s.Current });
            // A month's figures per agent (reports, metrics, the desk): current scores by the call's month.
            b.HasIndex(s => new { s.Current, s.CallOfferedAt, s.AgentId });
        });
        modelBuilder.Entity<QualityDraw>(b =>
        {
            b.Property(d => d.Month).HasMaxLength(7);
            b.Property(d => d.AgentId).HasMaxLength(64);
            b.HasIndex(d => new { d.Month, d.AgentId, d.Draw }).IsUnique();
        });
        modelBuilder.Entity<ApiKey>(b =>
        {
            b.HasIndex(k => k.KeyHash).IsUnique();
            b.Property(k => k.AgentId).HasMaxLength(64);
        });
    }

    /// <summary>
    /// Saves, keeping <see cref="OrderHourRollup"/> and <see cref="OrderDayRollup"/> in step with the orders' first
    /// dispatch/reply/rework/callback, in the same transaction as the orders.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        foreach (var (hour, dimension, value, delta) in OrderRollupDeltas())
        {
            var key = OrderHourRollup.KeyOf(hour, dimension, value);
            Accumulate(await OrderHourRollups.FindAsync([key], cancellationToken), key, hour, dimension, value, delta);
            var dayKey = OrderDayRollup.KeyOf(CallDayRollup.DayOf(hour), dimension, value);
            AccumulateDay(await OrderDayRollups.FindAsync([dayKey], cancellationToken), dayKey, CallDayRollup.DayOf(hour), dimension, value, delta);
        }
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <inheritdoc cref="SaveChangesAsync(bool, CancellationToken)"/>
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        foreach (var (hour, dimension, value, delta) in OrderRollupDeltas())
        {
            var key = OrderHourRollup.KeyOf(hour, dimension, value);
            Accumulate(OrderHourRollups.Find(key), key, hour, dimension, value, delta);
            var dayKey = OrderDayRollup.KeyOf(CallDayRollup.DayOf(hour), dimension, value);
            AccumulateDay(OrderDayRollups.Find(dayKey), dayKey, CallDayRollup.DayOf(hour), dimension, value, delta);
        }
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    private List<(long Hour, string Dimension, string Value, OrderHourRollup Delta)> OrderRollupDeltas()
    {
        ChangeTracker.DetectChanges();
        var deltas = new List<(long, string, string, OrderHourRollup)>();
        foreach (var entry in ChangeTracker.Entries<WorkOrder>().Where(e => e.State is EntityState.Modified or EntityState.Added))
        {
            if (OrderHourRollup.DeltaOf(entry) is not { } delta) continue;
            var o = entry.Entity;
            foreach (var (dimension, value) in OrderHourRollup.DimensionsOf(o))
                deltas.Add((o.CreatedHour, dimension, value, delta));
        }
        return deltas;
    }

    private void Accumulate(OrderHourRollup? row, string key, long hour, string dimension, string value, OrderHourRollup delta)
    {
        if (row is null)
        {
            row = new OrderHourRollup { Key = key, Hour = hour, Dimension = dimension, Value = value };
            OrderHourRollups.Add(row);
        }
        row.Add(delta);
    }

    private void AccumulateDay(OrderDayRollup? row, string key, long day, string dimension, string value, OrderHourRollup delta)
    {
        if (row is null)
        {
            row = new OrderDayRollup { Key = key, Day = day, Dimension = dimension, Value = value };
            OrderDayRollups.Add(row);
        }
        row.Add(delta);
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public sealed class SqliteTicketDbContext(DbContextOptions<SqliteTicketDbContext> options) : TicketDbContext(options);

public sealed class SqlServerTicketDbContext(DbContextOptions<SqlServerTicketDbContext> options) : TicketDbContext(options);

public sealed class PostgreSqlTicketDbContext(DbContextOptions<PostgreSqlTicketDbContext> options) : TicketDbContext(options);
