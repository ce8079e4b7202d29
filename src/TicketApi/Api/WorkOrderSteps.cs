using System.Security.Claims;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Api;

/// <summary>
/// The lifecycle step handlers: validate the body (400 naming the field), load the order, check the department
/// rule (403), call the aggregate's method (its refusal → 409 saying why), save with the version check.
/// </summary>
public static class WorkOrderSteps
{
    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> CloseAsync(
        long id, CloseRequest body, StepContext ctx, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.Resolution, "resolution", 4000);
        var nature = ctx.Nature(body.Nature, v);
        ctx.CheckCategory(body.Category, v);
        return ctx.RunAsync(id, v, ct, (o, actor, now) =>
        {
            o.Classify(nature, body.Category, body.Content, null, now, actor);
            o.CloseOnTheSpot(body.Resolution!, now, actor);
        });
    }

    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> DispatchAsync(
        long id, DispatchRequest body, StepContext ctx, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.DepartmentId, "departmentId", 100);
        var nature = ctx.Nature(body.Nature, v);
        ctx.CheckCategory(body.Category, v);
        return ctx.RunAsync(id, v, ct, (o, actor, now) =>
        {
            o.Classify(nature, body.Category, body.Content, body.Major, now, actor);
            var effective = ctx.Catalogue.FindNature(o.Nature)
                ?? throw new WorkOrderRuleException($"Cannot dispatch order {o.Number}: it has no nature yet; give 'nature' (its deadline depends on it).");
            o.Dispatch(body.DepartmentId!, effective, ctx.Rules, now, actor);
        });
    }

    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> ReturnAsync(
        long id, ReasonRequest body, StepContext ctx, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.Reason, "reason", 2000);
        return ctx.RunAsync(id, v, ct, (o, actor, now) => o.Return(body.Reason!, now, actor));
    }

    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> RequestExtensionAsync(
        long id, ExtensionRequest body, StepContext ctx, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.Reason, "reason", 2000);
        if (body.Days is null or < 1 or > DeadlineRules.MaxExtensionDays) v.Add("days", $"days must be 1 to {DeadlineRules.MaxExtensionDays} (DOMAIN.md: at most 7 more days).");
        return ctx.RunAsync(id, v, ct, (o, actor, now) => o.RequestExtension(body.Days!.Value, body.Reason!, now, actor));
    }

    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> DecideExtensionAsync(
        long id, ExtensionDecisionRequest body, StepContext ctx, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.Reason, "reason", 2000);
        if (body.Approve is null) v.Add("approve", "approve is required (true or false).");
        return ctx.RunAsync(id, v, ct, (o, actor, now) => o.DecideExtension(body.Approve!.Value, body.Reason!, ctx.Rules, now, actor));
    }

    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> ReplyAsync(
        long id, ReplyRequest body, StepContext ctx, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.Reply, "reply", 4000);
        return ctx.RunAsync(id, v, ct, (o, actor, now) => o.ReplyWith(body.Reply!, now, actor));
    }

    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> ReviewAsync(
        long id, ReviewRequest body, StepContext ctx, CancellationToken ct)
    {
        var v = new Validation();
        v.MaxLength(body.Note, "note", 2000);
        return ctx.RunAsync(id, v, ct, (o, actor, now) => o.Review(body.Note, now, actor));
    }

    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> ReworkAsync(
        long id, ReasonRequest body, StepContext ctx, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.Reason, "reason", 2000);
        return ctx.RunAsync(id, v, ct, (o, actor, now) => o.Rework(body.Reason!, now, actor));
    }

    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> CallbackAsync(
        long id, CallbackRequest body, StepContext ctx, CancellationToken ct)
    {
        var v = new Validation();
        if (body.Satisfaction is null || !Enum.IsDefined(body.Satisfaction.Value))
            v.Add("satisfaction", "satisfaction is required: Satisfied, BasicallySatisfied or NotSatisfied.");
        v.MaxLength(body.Note, "note", 2000);
        return ctx.RunAsync(id, v, ct, (o, actor, now) => o.Callback(body.Satisfaction!.Value, body.Note, ctx.Rules, now, actor));
    }

    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> SuperviseAsync(
        long id, ReasonRequest body, StepContext ctx, CancellationToken ct)
    {
        var v = new Validation();
        v.Require(body.Reason, "reason", 2000);
        return ctx.RunAsync(id, v, ct, (o, actor, now) => o.Supervise(body.Reason!, now, actor));
    }

    public static Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> ArchiveAsync(
        long id, StepContext ctx, CancellationToken ct) =>
        ctx.RunAsync(id, new Validation(), ct, (o, actor, now) => o.Archive(now, actor));

    /// <summary>Department staff reach only orders dispatched to their own department.</summary>
    public static bool MayAccess(Actor actor, WorkOrder order) =>
        actor.Role != Roles.Department || string.Equals(order.DepartmentId, actor.DepartmentId, StringComparison.Ordinal);

    public static ProblemHttpResult Forbidden(WorkOrder order) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
        detail: $"Work order {order.Number} belongs to another department.");

    public static ProblemHttpResult NotFound(long id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Work order {id} does not exist.");
}

/// <summary>What every step handler needs, bound from DI in one parameter.</summary>
public sealed class StepContext(
    IHttpContextAccessor http, TicketDbContext db, DeadlineRules rules, IOptions<CatalogueOptions> catalogue, TimeProvider time)
{
    public DeadlineRules Rules => rules;
    public CatalogueOptions Catalogue => catalogue.Value;

    public NatureDefinition? Nature(string? code, Validation v)
    {
        if (code is null) return null;
        var nature = Catalogue.FindNature(code);
        if (nature is null) v.Add("nature", $"nature '{code}' is not in the catalogue.");
        return nature;
    }

    public void CheckCategory(string? category, Validation v)
    {
        if (category is not null && !Catalogue.IsCategory(category)) v.Add("category", Catalogue.NotACategory(category));
    }

    public async Task<Results<Ok<WorkOrderView>, ValidationProblem, ProblemHttpResult>> RunAsync(
        long id, Validation validation, CancellationToken ct, Action<WorkOrder, Actor, DateTime> step)
    {
        if (validation.HasErrors) return validation.Problem();
        var user = http.HttpContext?.User ?? new ClaimsPrincipal();
        var actor = user.ToActor();
        var order = await db.WorkOrders.FirstOrDefaultAsync(o => o.Id == id, ct);
        if (order is null) return WorkOrderSteps.NotFound(id);
        if (!WorkOrderSteps.MayAccess(actor, order)) return WorkOrderSteps.Forbidden(order);
        var now = time.GetUtcNow().UtcDateTime;
        try
        {
            step(order, actor, now);
            await db.SaveChangesAsync(ct);
        }
        catch (WorkOrderRuleException ex)
        {
            return Conflict(ex.Message);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Conflict($"Work order {order.Number} was changed by someone else meanwhile; reload it and try again.");
        }
        return TypedResults.Ok(WorkOrderView.From(order, actor, now));
    }

    private static ProblemHttpResult Conflict(string why) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The step is not allowed now.", detail: why);
}
