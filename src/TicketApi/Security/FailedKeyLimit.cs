using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace Hotline.TicketApi.Security;

/// <summary>
/// A token bucket of wrong API keys per source address: <see cref="Burst"/> mistakes at once, then one per
/// <see cref="Refill"/>. An emptied bucket blocks every keyed request from that address (429 + Retry-After) before the
/// key is even checked, so guessing cannot go on at request speed.
/// </summary>
public sealed class FailedKeyLimit(TimeProvider time)
{
    public const int Burst = 20;
    public static readonly TimeSpan Refill = TimeSpan.FromSeconds(3);
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<IPAddress, Bucket> _buckets = new();

    private sealed class Bucket
    {
        public double Tokens = Burst;
        public long UpdatedTicks;
    }

    /// <summary>False (and how long to wait) while <paramref name="source"/> has no wrong guesses left.</summary>
    public bool Allows(IPAddress source, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!_buckets.TryGetValue(source, out var bucket)) return true;
        lock (bucket)
        {
            Top(bucket);
            if (bucket.Tokens >= 1) return true;
            retryAfter = Refill * (1 - bucket.Tokens);
            return false;
        }
    }

    /// <summary>Counts one wrong key from <paramref name="source"/>; true when that emptied its bucket.</summary>
    public bool RecordFailure(IPAddress source)
    {
        if (_buckets.Count > MaxTracked) Sweep();
        var bucket = _buckets.GetOrAdd(source, _ => new Bucket { UpdatedTicks = time.GetTimestamp() });
        lock (bucket)
        {
            Top(bucket);
            bucket.Tokens = Math.Max(0, bucket.Tokens - 1);
            return bucket.Tokens < 1;
        }
    }

    private void Top(Bucket bucket)
    {
        var now = time.GetTimestamp();
        bucket.Tokens = Math.Min(Burst, bucket.Tokens + time.GetElapsedTime(bucket.UpdatedTicks, now) / Refill);
        bucket.UpdatedTicks = now;
    }

    // Full buckets carry no state worth keeping: dropping them bounds memory under a spray of source addresses.
    private void Sweep()
    {
        foreach (var (ip, bucket) in _buckets)
        {
            lock (bucket) Top(bucket);
            if (bucket.Tokens >= Burst) _buckets.TryRemove(ip, out _);
        }
    }
}

/// <summary>Answers 429 to a keyed request from a source that has run out of wrong guesses (<see cref="FailedKeyLimit"/>).</summary>
public static partial class FailedKeyLimitMiddleware
{
    public static IApplicationBuilder UseFailedKeyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var source = context.Connection.RemoteIpAddress;
        if (source is not null && context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header)
            && !context.RequestServices.GetRequiredService<FailedKeyLimit>().Allows(source, out var retryAfter))
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await context.Response.WriteAsync("Too many wrong API keys from this address; try again later.", context.RequestAborted);
            return;
        }
        await next(context);
    });
}
