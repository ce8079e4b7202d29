using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Hotline.EndToEnd.Tests.Faults;

/// <summary>What the fault tests read back from a real TicketApi: its calls, a call's timeline, polled until done.</summary>
internal static class TicketApiReads
{
    public static async Task<List<JsonElement>> CallsAsync(HttpClient http, DateTime since)
    {
        var to = DateTime.UtcNow.AddMinutes(1).ToString("O", CultureInfo.InvariantCulture);
        var page = await http.GetFromJsonAsync<JsonElement>($"/api/calls?from={since:O}&to={to}&pageSize=100");
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    /// <summary>A call TicketApi has closed (its CallEnded stored).</summary>
    public static bool Ended(JsonElement call) => call.TryGetProperty("endedAt", out var e) && e.ValueKind != JsonValueKind.Null;

    public static async Task<List<JsonElement>> TimelineAsync(HttpClient http, string callId) =>
        [.. (await http.GetFromJsonAsync<JsonElement>($"/api/calls/{callId}")).GetProperty("timeline").EnumerateArray()];

    /// <summary>
    /// Reads another process's published state until <paramref name="done"/> (no in-process event to await); a read
    /// that fails to connect (TicketApi restarting) is tried again.
    /// </summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var value = default(T);
        while (true)
        {
            try
            {
                value = await read();
                if (done(value)) return value;
            }
            catch (HttpRequestException)
            {
            }
            if (!await tick.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => !t.IsCanceled, TaskScheduler.Default))
                Assert.Fail("Timed out waiting; last: " + JsonSerializer.Serialize(value));
        }
    }
}
