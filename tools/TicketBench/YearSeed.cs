using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Hotline.TicketBench;

/// <summary>
/// Issue 22: the calendar year 2025 (+08:00) of <c>calls</c> calls, seeded straight into the host's SQLite file as the
/// rollups the ingest keeps — per hour and per UTC day, calls by queue × agent (and per hour by queue) (100 agents, 2 queues, 5 % abandoned),
/// orders (one per answered call, 30 % dispatched and carried through reply and callback) by dimension × value. Of the
/// ~9.5 M orders only these are written as rows: those of the year's first and last UTC day (what a +05:30 year's cut
/// hours scan) and the open ones (every 50th order of the last 30 days, registered or dispatched and overdue: what
/// "due but not done" scans). The report over whole hours reads rollups and open orders only, so the closed orders'
/// rows would cost the seed ~10 minutes and 3 GB for no change in what the query reads (the month seed has them all).
/// </summary>
internal static class YearSeed
{
    private const string DateFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";
    private static readonly string[] Categories =
        ["urban-construction-environment", "agriculture", "justice-civil-affairs", "industry-transport", "labour-personnel",
         "science-education-culture-health", "finance-tax-market", "services", "other"];

    public static (long Answered, long Orders, int Rows, int Open) Seed(string path, int calls)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA cache_size=-262144;";
            pragma.ExecuteNonQuery();
        }
        using var tx = connection.BeginTransaction();
        var firstHour = (long)(new DateTime(2024, 12, 31, 16, 0, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalHours; // 1 Jan 2025 00:00 +08:00
        const int hours = 365 * 24;
        var perHour = calls / hours;
        var extra = calls - perHour * hours;
        var rnd = new Random(2025);
        long answeredTotal = 0, ordersTotal = 0;
        int rows = 0, open = 0;

        using var callRollup = Command(connection, tx, """
            INSERT INTO CallHourRollups (Key, Hour, Queue, AgentId, Offered, Answered, AnsweredWithinServiceLevel, Abandoned,
              AnswerWaitMsTotal, Rated, Satisfied, BasicallySatisfied, NotSatisfied)
            VALUES ($k, $h, $q, $a, $o, $an, $w, $ab, $wt, $r, $s, $b, $n)
            """, "$k", "$h", "$q", "$a", "$o", "$an", "$w", "$ab", "$wt", "$r", "$s", "$b", "$n");
        using var orderRollup = Command(connection, tx, """
            INSERT INTO OrderHourRollups (Key, Hour, Dimension, Value, DispatchedOnTime, DispatchedLate, RepliedOnTime, RepliedLate,
              Reworked, CalledBackOnTime, CalledBackLate, CallbackSatisfied, Registered, CallerAnswered)
            VALUES ($k, $h, $d, $v, $c0, $c1, $c2, $c3, $c4, $c5, $c6, $c7, $c8, $c9)
            """, "$k", "$h", "$d", "$v", "$c0", "$c1", "$c2", "$c3", "$c4", "$c5", "$c6", "$c7", "$c8", "$c9");
        using var order = Command(connection, tx, """
            INSERT INTO WorkOrders (Kind, Channel, Status, Nature, IsMajor, IsEmergency, Category, Content, CallerNumber,
              ConfidentialReporter, CallId, OwnerAgentId, DepartmentId, CreatedAt, CreatedHour, DispatchDueAt, FirstDispatchedAt,
              DispatchedOnTime, DeadlineAt, RepliedAt, RepliedOnTime, ExtensionsGranted, ReturnCount, ReworkCount, ReopenCount,
              CallbackDueAt, CalledBackAt, CalledBackOnTime, CallbackSatisfaction, Supervised, Version)
            VALUES (0, 0, $st, 'complaint', 0, 0, $cat, '', '13800001111', 0, $call, $agent, $dep, $at, $h, $due, $disp,
              $dispOk, $deadline, $rep, $repOk, 0, 0, $rework, 0, $cbDue, $cb, $cbOk, $sat, 0, 3)
            """, "$st", "$cat", "$call", "$agent", "$dep", "$at", "$h", "$due", "$disp", "$dispOk", "$deadline", "$rep", "$repOk",
            "$rework", "$cbDue", "$cb", "$cbOk", "$sat");

        // One hour's order counters: [dimension][value][counter], counters as OrderHourRollups' columns $c0..$c9.
        string[][] values = [[""], ["", .. Enumerable.Range(0, 40).Select(i => $"dept-{i}")], Categories, [.. Enumerable.Range(0, 100).Select(i => $"a{i}")]];
        string[] dimensions = ["all", "department", "category", "agent"];
        var counts = values.Select(v => new long[v.Length, 10]).ToArray();
        for (var h = 0; h < hours; h++)
        {
            var hour = firstHour + h;
            var offered = perHour + (h < extra ? 1 : 0);
            var abandoned = offered * 5 / 100;
            var answered = offered - abandoned;
            answeredTotal += answered;
            for (var agent = 0; agent < 100; agent++)
            {
                var mine = answered / 100 + (agent < answered % 100 ? 1 : 0);
                Run(callRollup, $"{hour}|{(agent < 50 ? "general" : "business")}|a{agent}", hour, agent < 50 ? "general" : "business", $"a{agent}",
                    mine, mine, mine * 85 / 100, 0, mine * 9000L, mine * 8 / 10, mine * 78 / 10 / 10, 0, 0);
            }
            for (var q = 0; q < 2; q++)
            {
                var share = abandoned / 2 + (q == 0 ? abandoned % 2 : 0);
                Run(callRollup, $"{hour}|{(q == 0 ? "general" : "business")}|", hour, q == 0 ? "general" : "business", "", share, 0, 0, share, 0, 0, 0, 0, 0);
            }

            foreach (var c in counts) Array.Clear(c);
            var at = DateTime.UnixEpoch.AddHours(hour);
            var edgeDay = h < 24 || h >= hours - 24;
            var recent = h >= hours - 30 * 24;
            for (var i = 0; i < answered; i++)
            {
                ordersTotal++;
                var category = rnd.Next(Categories.Length);
                var agent = i % 100;
                var isOpen = recent && i % 50 == 0;
                var dispatched = isOpen ? i % 100 == 0 : rnd.Next(100) < 30;
                var department = dispatched ? 1 + rnd.Next(40) : 0;
                var dispOk = rnd.Next(100) < 92;
                var repOk = rnd.Next(100) < 96;
                var rework = dispatched && !isOpen && rnd.Next(100) < 4;
                var cbOk = rnd.Next(100) < 97;
                var satisfaction = 1 + rnd.Next(3);
                int[] index = [0, department, category, agent];
                for (var d = 0; d < 4; d++)
                {
                    var c = counts[d];
                    var v = index[d];
                    c[v, 8]++;                                 // registered
                    if (!isOpen) c[v, 9]++;                    // answered to the caller (closed or called back)
                    if (!dispatched) continue;
                    c[v, dispOk ? 0 : 1]++;
                    if (isOpen) continue;                      // dispatched, not replied: due but not done
                    c[v, repOk ? 2 : 3]++;
                    if (rework) c[v, 4]++;
                    c[v, cbOk ? 5 : 6]++;
                    if (satisfaction <= 2) c[v, 7]++;
                }
                if (!edgeDay && !isOpen) continue;
                // Status: CalledBack 5 / Closed 6 as the month seed; open ones Dispatched 1 / Registered 0, both overdue.
                SetOrder(order, isOpen ? (dispatched ? 1 : 0) : dispatched ? 5 : 6, Categories[category], $"y-{h}-{i}", $"a{agent}",
                    dispatched ? $"dept-{department - 1}" : null, at, hour, dispatched, isOpen, dispOk, repOk, rework, cbOk, satisfaction);
                order.ExecuteNonQuery();
                rows++;
                if (isOpen) open++;
            }
            for (var d = 0; d < 4; d++)
                for (var v = 0; v < values[d].Length; v++)
                {
                    if (counts[d][v, 8] == 0) continue;
                    var p = orderRollup.Parameters;
                    p[0].Value = $"{hour}|{dimensions[d]}|{values[d][v]}";
                    p[1].Value = hour;
                    p[2].Value = dimensions[d];
                    p[3].Value = values[d][v];
                    for (var k = 0; k < 10; k++) p[4 + k].Value = counts[d][v, k];
                    orderRollup.ExecuteNonQuery();
                }
        }
        MetricsBench.FillSummaries(connection, tx, firstHour, firstHour + hours);
        tx.Commit();
        using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE;";
        analyze.ExecuteNonQuery();
        return (answeredTotal, ordersTotal, rows, open);
    }

    private static void SetOrder(SqliteCommand order, int status, string category, string callId, string agent, string? department,
        DateTime at, long hour, bool dispatched, bool isOpen, bool dispOk, bool repOk, bool rework, bool cbOk, int satisfaction)
    {
        string T(DateTime t) => t.ToString(DateFormat, CultureInfo.InvariantCulture);
        var p = order.Parameters;
        var replied = dispatched && !isOpen;
        p["$st"].Value = status;
        p["$cat"].Value = category;
        p["$call"].Value = callId;
        p["$agent"].Value = agent;
        p["$dep"].Value = (object?)department ?? DBNull.Value;
        p["$at"].Value = T(at);
        p["$h"].Value = hour;
        p["$due"].Value = T(at.AddHours(8));
        p["$disp"].Value = dispatched ? T(at.AddHours(1)) : DBNull.Value;
        p["$dispOk"].Value = dispatched ? (dispOk ? 1 : 0) : DBNull.Value;
        p["$deadline"].Value = dispatched ? T(at.AddDays(5)) : DBNull.Value;
        p["$rep"].Value = replied ? T(at.AddDays(3)) : DBNull.Value;
        p["$repOk"].Value = replied ? (repOk ? 1 : 0) : DBNull.Value;
        p["$rework"].Value = rework ? 1 : 0;
        p["$cbDue"].Value = replied ? T(at.AddDays(6)) : DBNull.Value;
        p["$cb"].Value = replied ? T(at.AddDays(4)) : DBNull.Value;
        p["$cbOk"].Value = replied ? (cbOk ? 1 : 0) : DBNull.Value;
        p["$sat"].Value = replied ? satisfaction : DBNull.Value;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in names) command.Parameters.Add(name, SqliteType.Text);
        return command;
    }

    private static void Run(SqliteCommand command, string key, long hour, string queue, string agent, params long[] counts)
    {
        var p = command.Parameters;
        p[0].Value = key;
        p[1].Value = hour;
        p[2].Value = queue;
        p[3].Value = agent;
        for (var i = 0; i < counts.Length; i++) p[4 + i].Value = counts[i];
        command.ExecuteNonQuery();
    }
}
