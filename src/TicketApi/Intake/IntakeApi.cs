using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Hotline.TicketApi.Api;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Intake;

/// <summary>
/// DOMAIN.md "Channels": the same work orders from a public web form (no key; per-address limit and proof of work) and
/// from an SMS gateway (its own credential). Each becomes a registered order with its channel (WebForm, Sms).
/// </summary>
public static class IntakeApi
{
    public sealed record ChallengeView(string Challenge, int Bits);
    public sealed record PublicNature(string Code, string Name, bool ConfidentialReporter);
    public sealed record WebFormRequest(string? Content, string? Name, string? Contact, string? Address, string? Nature, string? Category, string? Challenge, string? Nonce);
    public sealed record Confirmation(string Number, bool ReporterConfidential);
    public sealed record SmsRequest(string? MessageId, string? From, string? Text);
    public sealed record SmsReceipt(string Number, bool Duplicate);

    private static readonly Actor WebForm = new("web-form", "public");
    private static readonly Actor SmsGateway = new("sms-gateway", "system");

    public static IServiceCollection AddIntake(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IntakeOptions>().Bind(configuration.GetSection(IntakeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ProofOfWork>();
        services.AddSingleton(sp =>
        {
            var perHour = sp.GetRequiredService<IOptions<IntakeOptions>>().Value.WebFormPerAddressPerHour;
            return PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perHour, Window = TimeSpan.FromHours(1), QueueLimit = 0 }));
        });
        return services;
    }

    public static void MapIntakeApi(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<IntakeOptions>>().Value;
        if (options.WebFormEnabled)
        {
            var open = app.MapGroup("/api/public").WithTags("Public web form").AllowAnonymous();
            open.MapGet("/challenge", (ProofOfWork pow) => TypedResults.Ok(new ChallengeView(pow.NewChallenge(), options.ProofOfWorkBits)));
            // The form offers the configured natures (Catalogue:Natures is data, issue 23), not a list of its own.
            open.MapGet("/natures", (IOptions<CatalogueOptions> catalogue) => TypedResults.Ok(
                catalogue.Value.Natures.Select(n => new PublicNature(n.Code, n.Name, n.ConfidentialReporter)).ToList()));
            open.MapPost("/orders", SubmitAsync);
        }
        app.MapPost("/api/intake/sms", SmsAsync).WithTags("SMS intake").AllowAnonymous();   // its own credential, checked below
    }

    private static async Task<Results<Created<Confirmation>, ValidationProblem, StatusCodeHttpResult>> SubmitAsync(
        WebFormRequest request, HttpContext http, ProofOfWork pow, PartitionedRateLimiter<string> limiter, TicketDbContext db,
        DeadlineRules rules, IOptions<CatalogueOptions> catalogue, IOptions<IntakeOptions> options, TimeProvider time,
        ILogger<ProofOfWork> log, CancellationToken ct)
    {
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        using var lease = limiter.AttemptAcquire(address);
        if (!lease.IsAcquired)
        {
            log.LogWarning("Web form: per-address limit reached for {Address}", address);
            return TypedResults.StatusCode(StatusCodes.Status429TooManyRequests);
        }
        var v = new Validation();
        v.Require(request.Content, "content", 4000);
        v.Require(request.Contact, "contact", 64);
        v.MaxLength(request.Name, "name", 100);
        v.MaxLength(request.Address, "address", 400);
        var nature = catalogue.Value.FindNature(request.Nature ?? "consultation");
        if (nature is null) v.Add("nature", $"nature '{request.Nature}' is not in the catalogue.");
        if (request.Category is not null && !catalogue.Value.IsCategory(request.Category)) v.Add("category", catalogue.Value.NotACategory(request.Category));
        if (v.HasErrors) return v.Problem();
        if (pow.Verify(request.Challenge, request.Nonce, options.Value.ProofOfWorkBits) is { } why)
        {
            v.Add("nonce", "Proof of work refused: " + why);
            return v.Problem();
        }
        var order = WorkOrder.Register(new NewWorkOrder(WorkOrderKind.Matter, Channel.WebForm, request.Content, request.Category,
            request.Name, request.Contact, request.Address), nature, rules, time.GetUtcNow().UtcDateTime, WebForm);
        db.WorkOrders.Add(order);
        await db.SaveChangesAsync(ct);
        log.LogInformation("Web form: order {Number} registered ({Nature})", order.Number, order.Nature);
        return TypedResults.Created($"/api/public/orders/{order.Number}", new Confirmation(order.Number, order.ConfidentialReporter));
    }

    private static async Task<Results<Created<SmsReceipt>, Ok<SmsReceipt>, ValidationProblem, UnauthorizedHttpResult>> SmsAsync(
        SmsRequest request, HttpContext http, TicketDbContext db, DeadlineRules rules, IOptions<CatalogueOptions> catalogue,
        IOptions<IntakeOptions> options, TimeProvider time, ILogger<SmsRequest> log, CancellationToken ct)
    {
        if (!GatewayAuthenticated(http, options.Value.SmsGatewayKeySha256))
        {
            log.LogWarning("SMS intake: request without the gateway's credential refused");
            return TypedResults.Unauthorized();
        }
        var v = new Validation();
        v.Require(request.MessageId, "messageId", 100);
        v.Require(request.From, "from", 32);
        v.Require(request.Text, "text", 2000);
        if (v.HasErrors) return v.Problem();
        // A gateway retries: the message id makes a redelivery a no-op (stored as the order's source id).
        var source = "sms:" + request.MessageId;
        var existing = await db.WorkOrders.AsNoTracking().Where(o => o.CallId == source).Select(o => o.Id).FirstOrDefaultAsync(ct);
        if (existing != 0) return TypedResults.Ok(new SmsReceipt($"WO{existing:D8}", Duplicate: true));
        var order = WorkOrder.Register(new NewWorkOrder(WorkOrderKind.Matter, Channel.Sms, request.Text, CallerNumber: request.From, CallId: source),
            catalogue.Value.FindNature("consultation"), rules, time.GetUtcNow().UtcDateTime, SmsGateway);
        db.WorkOrders.Add(order);
        await db.SaveChangesAsync(ct);
        log.LogInformation("SMS intake: order {Number} registered", order.Number);
        return TypedResults.Created($"/api/workorders/{order.Id}", new SmsReceipt(order.Number, Duplicate: false));
    }

    private static bool GatewayAuthenticated(HttpContext http, string expectedSha256)
    {
        if (expectedSha256.Length != 64) return false;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(actual, Convert.FromHexString(expectedSha256));
    }
}
