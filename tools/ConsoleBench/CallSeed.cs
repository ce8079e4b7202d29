using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Hotline.ConsoleBench;

/// <summary>
/// Fills the <c>Calls</c> table with the month MetricsBench seeds as rollups and orders (issue 17's desk and quality
/// review read calls, not rollups): one row per answered call, ids <c>m-{hour}-{i}</c> like the seeded orders, agents
/// a0–a99, recorded, from 200,000 caller numbers; one bulk insert in a single transaction.
/// </summary>
internal static class CallSeed
{
    private const string DateFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";
    /// <summary>A number that called many times (the busiest caller-history read).</summary>
    public const string FrequentCaller = "13900000000";

    public static int Seed(string path, int calls)
    {
        var sw = Stopwatch.StartNew();
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var tx = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO Calls (CallId, NodeId, Direction, CallerNumber, DialedNumber, OfferedAt, Queue, QueuedAt, ServiceLevelMs,
              AnsweredAt, AgentId, WaitMs, WithinServiceLevel, Recording, EndedAt, HangupBy, TalkMs, HoldMs, FirstResponderAgentId,
              EventCount, EndSequence, Complete, CompletedAt)
            VALUES ($id, 'acd-1', 1, $num, '12345', $at, $q, $at, 15000, $ans, $agent, 9000, 1, $rec, $end, 1, 70000, 3000, $agent,
              4, 4, 1, $end)
            """;
        var p = new[] { "$id", "$num", "$at", "$q", "$ans", "$agent", "$rec", "$end" }.ToDictionary(n => n, n => insert.Parameters.Add(n, SqliteType.Text));
        var hours = 30 * 24;
        var first = new DateTime(2026, 10, 31, 16, 0, 0, DateTimeKind.Utc);   // 1 Nov 00:00 +08:00
        var perHour = calls / hours;
        var rnd = new Random(17);
        var n = 0;
        for (var h = 0; h < hours && n < calls; h++)
        {
            var at = first.AddHours(h);
            var count = h == hours - 1 ? calls - n : perHour;
            for (var i = 0; i < count; i++, n++)
            {
                var offered = at.AddSeconds(i * 3600.0 / Math.Max(1, count));
                p["$id"].Value = $"m-{h}-{i}";
                // 1 call in 2,000 from one frequent caller (500 calls a month); the rest from 200,000 numbers.
                p["$num"].Value = n % 2000 == 0 ? FrequentCaller : "138" + rnd.Next(200_000).ToString("D8", CultureInfo.InvariantCulture);
                p["$at"].Value = offered.ToString(DateFormat, CultureInfo.InvariantCulture);
                p["$q"].Value = i % 2 == 0 ? "general" : "business";
                p["$ans"].Value = offered.AddSeconds(9).ToString(DateFormat, CultureInfo.InvariantCulture);
                p["$agent"].Value = $"a{i % 100}";
                p["$rec"].Value = $"rec:m-{h}-{i}";
                p["$end"].Value = offered.AddSeconds(80).ToString(DateFormat, CultureInfo.InvariantCulture);
                insert.ExecuteNonQuery();
            }
        }
        tx.Commit();
        using (var analyze = connection.CreateCommand())
        {
            analyze.CommandText = "ANALYZE;";
            analyze.ExecuteNonQuery();
        }
        Console.WriteLine($"desk: seeded {n} rows in Calls in {sw.Elapsed.TotalSeconds:F1} s");
        return n;
    }

    /// <summary>The screen pop's caller-history reads (CallerHistory.ForNumberAsync's SQL): their plans and times.</summary>
    public static void ExplainHistory(string path, string number)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        string[] queries =
        [
            "SELECT Id, Status, Nature, Content, CreatedAt FROM WorkOrders WHERE CallerNumber = $n AND Status NOT IN (6, 7) ORDER BY CreatedAt DESC LIMIT 10",
            "SELECT Id, Status, Nature, Content, CreatedAt FROM WorkOrders WHERE CallerNumber = $n AND Status IN (6, 7) ORDER BY CreatedAt DESC LIMIT 10",
            "SELECT CallId, OfferedAt, Queue, AgentId, AnsweredAt, TalkMs FROM Calls WHERE CallerNumber = $n AND CallId <> 'current' ORDER BY OfferedAt DESC LIMIT 10",
        ];
        foreach (var sql in queries)
        {
            using var explain = connection.CreateCommand();
            explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
            explain.Parameters.AddWithValue("$n", number);
            var plan = new List<string>();
            using (var r = explain.ExecuteReader()) while (r.Read()) plan.Add(r.GetString(3));
            using var run = connection.CreateCommand();
            run.CommandText = sql;
            run.Parameters.AddWithValue("$n", number);
            var times = new List<double>();
            for (var i = 0; i < 6; i++)
            {
                var sw = Stopwatch.StartNew();
                using var r = run.ExecuteReader();
                while (r.Read()) { }
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            var rest = times.Skip(1).Order().ToList();
            Console.WriteLine($"desk: history {sql[..Math.Min(60, sql.Length)]}… [{string.Join("; ", plan)}] median {rest[rest.Count / 2]:F2} ms");
        }
    }

    /// <summary>Keeps a consistent copy of the seeded database (SQLite's online backup, safe while the host runs).</summary>
    public static void Backup(string path, string to)
    {
        var sw = Stopwatch.StartNew();
        var partial = to + ".partial";
        File.Delete(partial);
        using (var source = new SqliteConnection($"Data Source={path}"))
        using (var target = new SqliteConnection($"Data Source={partial};Pooling=False"))
        {
            source.Open();
            target.Open();
            source.BackupDatabase(target);
        }
        SqliteConnection.ClearAllPools();
        File.Move(partial, to, overwrite: true);
        Console.WriteLine($"console: seeded database kept in {to} ({new FileInfo(to).Length / 1_048_576} MiB, {sw.Elapsed.TotalSeconds:F1} s)");
    }
}

/// <summary>Deletes a folder (the copied database's) when disposed; nothing when null.</summary>
internal sealed class FolderCleanup(string? folder) : IAsyncDisposable
{
    public ValueTask DisposeAsync()
    {
        if (folder is not null)
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        }
        return ValueTask.CompletedTask;
    }
}
