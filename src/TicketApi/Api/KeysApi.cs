using System.Security.Claims;
using Hotline.TicketApi.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Hotline.TicketApi.Auth;

namespace Hotline.TicketApi.Api;

/// <summary>
/// <c>/api/keys</c>: an admin creates API keys (the secret is shown once), lists them (never the secret nor its hash)
/// and revokes one; a revoked key is refused from the next request on (no cache), and who revoked it is kept.
/// </summary>
public static partial class KeysApi
{
    public sealed record CreateKeyRequest(string? Name, string? Role, string? DepartmentId, string? AgentId = null);
    public sealed record CreatedKey(long Id, string Name, string Role, string? DepartmentId, string Key, string? AgentId = null);
    public sealed record RevokeKeyRequest(string? Reason);
    public sealed record KeyView(
        long Id, string Name, string Role, string? DepartmentId, DateTime CreatedAt, string? CreatedBy,
        DateTime? RevokedAt, string? RevokedBy, string? RevokedReason, string? AgentId)
    {
        public static KeyView From(ApiKey k) => new(k.Id, k.Name, k.Role, k.DepartmentId, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.RevokedBy, k.RevokedReason, k.AgentId);
    }

    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/keys").WithTags("Keys").RequireAuthorization(Policies.Admin);
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapPost("/{id:long}/revoke", RevokeAsync);
        return group;
    }

    public static async Task<Results<Created<CreatedKey>, ValidationProblem>> CreateAsync(
        CreateKeyRequest request, ClaimsPrincipal user, TicketDbContext db, TimeProvider time, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var errors = new Validation();
        errors.Require(request.Name, "name", 100);
        if (request.Role is null || !Roles.All.Contains(request.Role))
            errors.Add("role", $"role must be one of: {string.Join(", ", Roles.All)}.");
        if (request.Role == Roles.Department) errors.Require(request.DepartmentId, "departmentId", 100);
        else if (request.DepartmentId is not null) errors.Add("departmentId", "only a department key is bound to a department.");
        // Issue 17: an agent key may be bound to one engine agent id (the desk acts only as that agent).
        if (request.AgentId is not null && request.Role != Roles.Agent) errors.Add("agentId", "only an agent key is bound to an agent id.");
        else if (request.AgentId is not null && !AgentIds.IsValid(request.AgentId))
            errors.Add("agentId", "agentId must be 1 to 64 letters, digits, '-', '_' or '.'.");
        if (errors.HasErrors) return errors.Problem();
        var secret = ApiKey.NewSecret();
        var key = new ApiKey
        {
            Name = request.Name!, Role = request.Role!, DepartmentId = request.DepartmentId, AgentId = request.AgentId,
            KeyHash = ApiKey.Hash(secret), CreatedAt = time.GetUtcNow().UtcDateTime, CreatedBy = user.Identity?.Name,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        LogCreated(logs.CreateLogger(typeof(KeysApi)), key.Id, key.Role, key.CreatedBy);
        return TypedResults.Created($"/api/keys/{key.Id}", new CreatedKey(key.Id, key.Name, key.Role, key.DepartmentId, secret, key.AgentId));
    }

    public static async Task<Ok<List<KeyView>>> ListAsync(TicketDbContext db, CancellationToken cancellationToken)
    {
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(keys.ConvertAll(KeyView.From));
    }

    /// <summary>Revokes a key: refused from the next request on; the revoker, time and reason are kept on the key and logged.</summary>
    public static async Task<Results<Ok<KeyView>, ValidationProblem, ProblemHttpResult>> RevokeAsync(
        long id, RevokeKeyRequest? request, ClaimsPrincipal user, TicketDbContext db, TimeProvider time, ILoggerFactory logs,
        CancellationToken cancellationToken)
    {
        var errors = new Validation();
        errors.MaxLength(request?.Reason, "reason", 400);
        if (errors.HasErrors) return errors.Problem();
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such key", detail: $"API key {id} does not exist.");
        if (key.RevokedAt is not null)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already revoked",
                detail: $"API key {id} was revoked at {key.RevokedAt:O} by {key.RevokedBy}.");
        key.RevokedAt = time.GetUtcNow().UtcDateTime;
        key.RevokedBy = user.Identity?.Name ?? "unknown";
        key.RevokedReason = request?.Reason;
        await db.SaveChangesAsync(cancellationToken);
        LogRevoked(logs.CreateLogger(typeof(KeysApi)), key.Id, key.Name, key.RevokedBy);
        return TypedResults.Ok(KeyView.From(key));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API key {KeyId} ({Role}) created by {Admin}")]
    private static partial void LogCreated(ILogger logger, long keyId, string role, string? admin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key {KeyId} ({KeyName}) revoked by {Admin}")]
    private static partial void LogRevoked(ILogger logger, long keyId, string keyName, string admin);
}
