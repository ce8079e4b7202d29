using System.Security.Claims;
using Hotline.TicketApi.Auth;
using Hotline.TicketApi.Catalogue;
using Hotline.TicketApi.Data;
using Hotline.TicketApi.WorkOrders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Api;

/// <summary><c>/api/workorders</c>: list, register, detail, and one POST per lifecycle step (DOMAIN.md).</summary>
public static class WorkOrdersApi
{
    public const int MaxPageSize = 200;
    /// <summary>The list counts matches up to this many; beyond it <c>totalCapped</c> is true.</summary>
    public const int TotalCap = 10_000;

    public static RouteGroupBuilder MapWorkOrdersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/workorders").WithTags("Work orders").RequireAuthorization(Policies.AnyRole);
        group.MapGet("/", ListAsync);
        group.MapPost("/", RegisterAsync).RequireAuthorization(Policies.Hotline);
        group.MapGet("/{id:long}", GetAsync);
        group.MapPost("/{id:long}/close", WorkOrderSteps.CloseAsync).RequireAuthorization(Policies.Hotline);
        group.MapPost("/{id:long}/dispatch", WorkOrderSteps.DispatchAsync).RequireAuthorization(Policies.Hotline);
        group.MapPost("/{id:long}/return", WorkOrderSteps.ReturnAsync).RequireAuthorization(Policies.DepartmentStaff);
        group.MapPost("/{id:long}/extension", WorkOrderSteps.RequestExtensionAsync).RequireAuthorization(Policies.DepartmentStaff);
        group.MapPost("/{id:long}/extension/decision", WorkOrderSteps.DecideExtensionAsync).RequireAuthorization(Policies.Hotline);
        group.MapPost("/{id:long}/reply", WorkOrderSteps.ReplyAsync).RequireAuthorization(Policies.DepartmentStaff);
        group.MapPost("/{id:long}/review", WorkOrderSteps.ReviewAsync).RequireAuthorization(Policies.Hotline);
        group.MapPost("/{id:long}/rework", WorkOrderSteps.ReworkAsync).RequireAuthorization(Policies.Hotline);
        group.MapPost("/{id:long}/callback", WorkOrderSteps.CallbackAsync).RequireAuthorization(Policies.Hotline);
        group.MapPost("/{id:long}/supervise", WorkOrderSteps.SuperviseAsync).RequireAuthorization(Policies.Supervisor);
        group.MapPost("/{id:long}/archive", WorkOrderSteps.ArchiveAsync).RequireAuthorization(Policies.Hotline);
        return group;
    }

    public static async Task<Results<Ok<PageOf<WorkOrderView>>, ValidationProblem>> ListAsync(
        ClaimsPrincipal user, TicketDbContext db, TimeProvider time, IOptions<CatalogueOptions> catalogue, CancellationToken cancellationToken,
        DateTime? from = null, DateTime? to = null, WorkOrderStatus? status = null, string? department = null,
        bool? overdue = null, string? nature = null, int page = 1, int pageSize = 50, long? afterId = null)
    {
        var errors = new Validation();
        if (page < 1) errors.Add("page", "page must be 1 or more.");
        if (pageSize is < 1 or > MaxPageSize) errors.Add("pageSize", $"pageSize must be 1 to {MaxPageSize}.");
        if (from > to) errors.Add("from", "from must not be after to.");
        if (afterId is < 1) errors.Add("afterId", "afterId must be 1 or more (the last id of the previous page).");
        // The nature filter takes a catalogue code (Catalogue:Natures), stored as the catalogue spells it.
        var natureCode = catalogue.Value.FindNature(nature)?.Code;
        if (!string.IsNullOrEmpty(nature) && natureCode is null) errors.Add("nature", $"nature '{nature}' is not in the catalogue.");
        if (errors.HasErrors) return errors.Problem();
        var actor = user.ToActor();
        var now = time.GetUtcNow().UtcDateTime;
        var query = db.WorkOrders.AsNoTracking();
        // Department staff see only their own department's orders, whatever filter they ask for.
        if (actor.Role == Roles.Department) department = actor.DepartmentId;
        if (department is not null) query = query.Where(o => o.DepartmentId == department);
        if (from is not null) query = query.Where(o => o.CreatedAt >= from.Value.ToUniversalTime());
        if (to is not null) query = query.Where(o => o.CreatedAt < to.Value.ToUniversalTime());
        if (status is not null) query = query.Where(o => o.Status == status);
        if (natureCode is not null) query = query.Where(o => o.Nature == natureCode);
        // Three OR terms, each "status = x AND time < now": SQLite answers each from its (Status, time) index and unions them.
        if (overdue == true)
            query = query.Where(o => (o.Status == WorkOrderStatus.Dispatched && o.DeadlineAt < now)
                || (o.Status == WorkOrderStatus.Registered && o.DispatchDueAt < now)
                || (o.Status == WorkOrderStatus.Returned && o.DispatchDueAt < now));
        // Counting stops at TotalCap: a full COUNT over a month of a million orders costs more than the page itself.
        // Ordered as the page is (the filter's index order): EF warns on a Take without OrderBy (issue 20), and this costs nothing.
        var counted = await query.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Take(TotalCap + 1).CountAsync(cancellationToken);
        // Newest first by creation time (then id): every filter's index ends in CreatedAt, so a page is read in index
        // order and never sorted. Keyset paging (afterId = the last id of the previous page) reads only the page.
        IQueryable<WorkOrder> paged;
        if (afterId is long after)
        {
            var last = await db.WorkOrders.AsNoTracking().Where(o => o.Id == after).Select(o => (DateTime?)o.CreatedAt).FirstOrDefaultAsync(cancellationToken);
            if (last is not DateTime at)
            {
                errors.Add("afterId", $"work order {after} does not exist.");
                return errors.Problem();
            }
            // "CreatedAt <= at" first: the index range; the OR only trims the ties at that instant.
            paged = query.Where(o => o.CreatedAt <= at).Where(o => o.CreatedAt < at || o.Id < after)
                .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id);
        }
        else
        {
            paged = query.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Skip((page - 1) * pageSize);
        }
        var items = await paged.Take(pageSize).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PageOf<WorkOrderView>([.. items.Select(o => WorkOrderView.From(o, actor, now))], page, pageSize,
            Math.Min(counted, TotalCap), counted > TotalCap, items.Count == pageSize ? items[^1].Id : null));
    }

    public static async Task<Results<Created<WorkOrderView>, ValidationProblem>> RegisterAsync(
        RegisterRequest request, ClaimsPrincipal user, TicketDbContext db, DeadlineRules rules,
        IOptions<CatalogueOptions> catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Validation();
        if (request.Channel is null) errors.Add("channel", "channel is required (Phone, Sms, Fax, WebForm).");
        errors.Require(request.Content, "content", 4000);
        var nature = catalogue.Value.FindNature(request.Nature);
        if (request.Nature is not null && nature is null) errors.Add("nature", $"nature '{request.Nature}' is not in the catalogue.");
        if (request.Category is not null && !catalogue.Value.IsCategory(request.Category)) errors.Add("category", catalogue.Value.NotACategory(request.Category!));
        if (request.AboutHotline && !string.Equals(nature?.Code, WorkOrder.ComplaintNature, StringComparison.Ordinal))
            errors.Add("aboutHotline", "only a complaint (nature 'complaint') can be about the hotline.");
        errors.MaxLength(request.CallerName, "callerName", 200);
        errors.MaxLength(request.CallerNumber, "callerNumber", 40);
        errors.MaxLength(request.Address, "address", 400);
        if (errors.HasErrors) return errors.Problem();
        var actor = user.ToActor();
        var now = time.GetUtcNow().UtcDateTime;
        var order = WorkOrder.Register(
            new NewWorkOrder(request.Kind ?? WorkOrderKind.Matter, request.Channel!.Value, request.Content, request.Category,
                request.CallerName, request.CallerNumber, request.Address, request.Major, request.Emergency, request.CallId,
                actor.Role == Roles.Agent ? actor.Id : null, request.AboutHotline),
            nature, rules, now, actor);
        db.WorkOrders.Add(order);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/workorders/{order.Id}", WorkOrderView.From(order, actor, now));
    }

    public static async Task<Results<Ok<WorkOrderDetail>, ProblemHttpResult>> GetAsync(
        long id, ClaimsPrincipal user, TicketDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var actor = user.ToActor();
        var order = await db.WorkOrders.AsNoTracking().Include(o => o.Audit).FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (order is null) return WorkOrderSteps.NotFound(id);
        if (!WorkOrderSteps.MayAccess(actor, order)) return WorkOrderSteps.Forbidden(order);
        var timeline = order.CallId is null || actor.Role == Roles.Department
            ? []
            : await CallsApi.TimelineAsync(db, order.CallId, cancellationToken);
        var audit = order.Audit.OrderBy(a => a.Id)
            .Select(a => new AuditView(a.At, a.ActorId, a.ActorRole, a.Action, a.StatusBefore, a.StatusAfter, a.Detail)).ToList();
        return TypedResults.Ok(new WorkOrderDetail(WorkOrderView.From(order, actor, time.GetUtcNow().UtcDateTime), audit, timeline));
    }
}
