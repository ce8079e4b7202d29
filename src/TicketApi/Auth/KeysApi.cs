using Hotline.TicketApi.Api;
using Hotline.TicketApi.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hotline.TicketApi.Auth;

/// <summary><c>/api/keys</c>: an admin creates API keys (the secret is shown once).</summary>
public static class KeysApi
{
    public sealed record CreateKeyRequest(string? Name, string? Role, string? DepartmentId);
    public sealed record CreatedKey(long Id, string Name, string Role, string? DepartmentId, string Key);

    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/keys").WithTags("Keys").RequireAuthorization(Policies.Admin);
        group.MapPost("/", CreateAsync);
        return group;
    }

    public static async Task<Results<Created<CreatedKey>, ValidationProblem>> CreateAsync(
        CreateKeyRequest request, TicketDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Validation();
        errors.Require(request.Name, "name", 100);
        if (request.Role is null || !Roles.All.Contains(request.Role))
            errors.Add("role", $"role must be one of: {string.Join(", ", Roles.All)}.");
        if (request.Role == Roles.Department) errors.Require(request.DepartmentId, "departmentId", 100);
        else if (request.DepartmentId is not null) errors.Add("departmentId", "only a department key is bound to a department.");
        if (errors.HasErrors) return errors.Problem();
        var secret = ApiKey.NewSecret();
        var key = new ApiKey
        {
            Name = request.Name!, Role = request.Role!, DepartmentId = request.DepartmentId,
            KeyHash = ApiKey.Hash(secret), CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/keys/{key.Id}", new CreatedKey(key.Id, key.Name, key.Role, key.DepartmentId, secret));
    }
}
