using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries;

/// <summary>
/// <see cref="IDeliveryLogQueries"/> in EF Core: filters, order and paging all run in PostgreSQL
/// (LIKE patterns are parameters with their wildcards escaped; the sort is a whitelisted enum).
/// </summary>
public sealed class DeliveryLogQueries(IDbContextFactory<SendyDbContext> contexts) : IDeliveryLogQueries
{
    public async Task<LogPage<DeliveryLogRow>> DeliveriesAsync(DeliveryLogFilter filter, LogPageRequest<DeliveryLogSort> page,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Filter(Deliveries(db), filter, x => x.CreatedAt, x => x.Status);
        var total = await query.CountAsync(cancellationToken);
        var rows = await Paged(Order(query, page.Sort, page.Descending), page.Page, page.PageSize).ToListAsync(cancellationToken);
        return new LogPage<DeliveryLogRow>(rows.Select(ToRow).ToList(), total);
    }

    public async Task<LogPage<StatusEventLogRow>> StatusEventsAsync(DeliveryLogFilter filter, LogPageRequest<StatusEventLogSort> page,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Filter(Events(db), filter, x => x.OccurredAt, x => x.ToStatus);
        var total = await query.CountAsync(cancellationToken);
        var rows = await Paged(Order(query, page.Sort, page.Descending), page.Page, page.PageSize).ToListAsync(cancellationToken);
        return new LogPage<StatusEventLogRow>(rows.Select(ToRow).ToList(), total);
    }

    public async IAsyncEnumerable<DeliveryLogRow> AllDeliveriesAsync(DeliveryLogFilter filter, DeliveryLogSort sort, bool descending,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Order(Filter(Deliveries(db), filter, x => x.CreatedAt, x => x.Status), sort, descending);
        await foreach (var item in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
            yield return ToRow(item);
    }

    public async IAsyncEnumerable<StatusEventLogRow> AllStatusEventsAsync(DeliveryLogFilter filter, StatusEventLogSort sort, bool descending,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Order(Filter(Events(db), filter, x => x.OccurredAt, x => x.ToStatus), sort, descending);
        await foreach (var item in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
            yield return ToRow(item);
    }

    internal static IQueryable<DeliveryItem> Deliveries(SendyDbContext db) =>
        from d in db.Deliveries.AsNoTracking()
        join t in db.Trucks on d.TruckId equals t.Id into trucks
        from t in trucks.DefaultIfEmpty()
        join dr in db.Drivers on d.DriverId equals dr.Id into drivers
        from dr in drivers.DefaultIfEmpty()
        select new DeliveryItem
        {
            DeliveryId = d.Id, DeliveryIdText = d.Id.ToString(), CustomerName = d.CustomerName, TruckId = d.TruckId,
            TruckName = t.Name, TruckPlate = t.Plate, DriverName = dr.Name, CreatedAt = d.CreatedAt, Status = d.Status,
            PickedUpAt = d.PickedUpAt, DeliveredAt = d.DeliveredAt,
        };

    internal static IQueryable<EventItem> Events(SendyDbContext db) =>
        from e in db.StatusEvents.AsNoTracking()
        join d in db.Deliveries on e.DeliveryId equals d.Id
        join t in db.Trucks on d.TruckId equals t.Id into trucks
        from t in trucks.DefaultIfEmpty()
        join dr in db.Drivers on d.DriverId equals dr.Id into drivers
        from dr in drivers.DefaultIfEmpty()
            // A driver's events carry the driver id as text: show the name.
        join actor in db.Drivers on e.ActorId equals actor.Id.ToString() into actors
        from actor in actors.DefaultIfEmpty()
        select new EventItem
        {
            EventId = e.Id, DeliveryId = d.Id, DeliveryIdText = d.Id.ToString(), CustomerName = d.CustomerName, TruckId = d.TruckId,
            TruckName = t.Name, TruckPlate = t.Plate, DriverName = dr.Name, OccurredAt = e.OccurredAt, FromStatus = e.FromStatus,
            ToStatus = e.ToStatus, ActorKind = e.ActorKind, ActorId = e.ActorId,
            ActorName = e.ActorKind == StatusActorKind.Driver ? actor.Name : null, Note = e.Note, Reason = e.Reason,
        };

    private static IQueryable<T> Filter<T>(IQueryable<T> query, DeliveryLogFilter filter,
        Expression<Func<T, DateTimeOffset>> at, Expression<Func<T, DeliveryStatus>> status) where T : LogItem
    {
        if (Clean(filter.Delivery) is { } delivery)
        {
            if (Guid.TryParse(delivery, out var id))
                query = query.Where(x => x.DeliveryId == id);
            else
            {
                // The short id shown on the pages (its first characters) or part of the customer's name.
                var contains = Contains(delivery);
                var prefix = LikeEscape(delivery.ToLowerInvariant()) + "%";
                query = query.Where(x => EF.Functions.ILike(x.CustomerName, contains, Escape) || EF.Functions.Like(x.DeliveryIdText, prefix, Escape));
            }
        }
        if (Clean(filter.Truck) is { } truck)
        {
            var pattern = Contains(truck);
            query = query.Where(x => EF.Functions.ILike(x.TruckId!, pattern, Escape) || EF.Functions.ILike(x.TruckName!, pattern, Escape)
                || EF.Functions.ILike(x.TruckPlate!, pattern, Escape));
        }
        if (Clean(filter.Driver) is { } driver)
        {
            var pattern = Contains(driver);
            query = query.Where(x => EF.Functions.ILike(x.DriverName!, pattern, Escape));
        }
        if (filter.Status is { } s)
            query = query.Where(Compose(status, v => v == s));
        if (filter.From is { } from)
        {
            var utc = from.ToUniversalTime();
            query = query.Where(Compose(at, v => v >= utc));
        }
        if (filter.To is { } to)
        {
            var utc = to.ToUniversalTime();
            query = query.Where(Compose(at, v => v < utc));
        }
        return query;
    }

    private static IQueryable<DeliveryItem> Order(IQueryable<DeliveryItem> query, DeliveryLogSort sort, bool descending)
    {
        var ordered = sort switch
        {
            DeliveryLogSort.Customer => By(query, x => x.CustomerName, descending),
            DeliveryLogSort.Truck => By(query, x => x.TruckName, descending),
            DeliveryLogSort.Driver => By(query, x => x.DriverName, descending),
            DeliveryLogSort.Status => By(query, StatusRank<DeliveryItem>(x => x.Status), descending),
            DeliveryLogSort.PickedUpAt => By(query, x => x.PickedUpAt, descending),
            DeliveryLogSort.DeliveredAt => By(query, x => x.DeliveredAt, descending),
            _ => By(query, x => x.CreatedAt, descending),
        };
        // A stable order makes pages disjoint: ties broken by creation time, then id.
        return ordered.ThenByDescending(x => x.CreatedAt).ThenBy(x => x.DeliveryId);
    }

    private static IQueryable<EventItem> Order(IQueryable<EventItem> query, StatusEventLogSort sort, bool descending)
    {
        var ordered = sort switch
        {
            StatusEventLogSort.Customer => By(query, x => x.CustomerName, descending),
            StatusEventLogSort.ToStatus => By(query, StatusRank<EventItem>(x => x.ToStatus), descending),
            StatusEventLogSort.Actor => By(query, x => x.ActorKind == StatusActorKind.Driver ? x.ActorName : x.ActorId, descending),
            _ => By(query, x => x.OccurredAt, descending),
        };
        return ordered.ThenByDescending(x => x.OccurredAt).ThenBy(x => x.EventId);
    }

    private static IOrderedQueryable<T> By<T, TKey>(IQueryable<T> query, Expression<Func<T, TKey>> key, bool descending) =>
        descending ? query.OrderByDescending(key) : query.OrderBy(key);

    private static IQueryable<T> Paged<T>(IQueryable<T> query, int page, int pageSize)
    {
        var size = Math.Clamp(pageSize, 1, LogPageRequest<DeliveryLogSort>.MaxPageSize);
        return query.Skip(Math.Max(0, page) * size).Take(size);
    }

    /// <summary>Statuses are stored by name; sorting them alphabetically would put Arrived first, so sort by their order in the flow.</summary>
    private static Expression<Func<T, int>> StatusRank<T>(Expression<Func<T, DeliveryStatus>> status)
    {
        Expression rank = Expression.Constant(int.MaxValue);
        foreach (var value in Enum.GetValues<DeliveryStatus>().Reverse())
            rank = Expression.Condition(Expression.Equal(status.Body, Expression.Constant(value)), Expression.Constant((int)value), rank);
        return Expression.Lambda<Func<T, int>>(rank, status.Parameters);
    }

    private static Expression<Func<T, bool>> Compose<T, TValue>(Expression<Func<T, TValue>> selector, Expression<Func<TValue, bool>> test)
    {
        var body = new Replace(test.Parameters[0], selector.Body).Visit(test.Body);
        return Expression.Lambda<Func<T, bool>>(body, selector.Parameters);
    }

    private sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }

    private const string Escape = "\\";

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Contains(string text) => "%" + LikeEscape(text) + "%";

    /// <summary>The user's text matches literally: LIKE's wildcards and the escape character are escaped.</summary>
    internal static string LikeEscape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    internal static DeliveryLogRow ToRow(DeliveryItem x) =>
        new(x.DeliveryId, x.CreatedAt, x.CustomerName, x.TruckId, x.TruckName, x.DriverName, x.Status, x.PickedUpAt, x.DeliveredAt);

    internal static StatusEventLogRow ToRow(EventItem x) =>
        new(x.EventId, x.OccurredAt, x.DeliveryId, x.CustomerName, x.FromStatus, x.ToStatus, x.ActorKind, x.ActorId, x.ActorName, x.Note, x.Reason);

    /// <summary>What both logs filter on. Classes with setters (not records) so EF can keep composing over the projection.</summary>
    internal abstract class LogItem
    {
        public Guid DeliveryId { get; set; }
        public string DeliveryIdText { get; set; } = "";
        public string CustomerName { get; set; } = "";
        public string? TruckId { get; set; }
        public string? TruckName { get; set; }
        public string? TruckPlate { get; set; }
        public string? DriverName { get; set; }
    }

    internal sealed class DeliveryItem : LogItem
    {
        public DateTimeOffset CreatedAt { get; set; }
        public DeliveryStatus Status { get; set; }
        public DateTimeOffset? PickedUpAt { get; set; }
        public DateTimeOffset? DeliveredAt { get; set; }
    }

    internal sealed class EventItem : LogItem
    {
        public Guid EventId { get; set; }
        public DateTimeOffset OccurredAt { get; set; }
        public DeliveryStatus? FromStatus { get; set; }
        public DeliveryStatus ToStatus { get; set; }
        public StatusActorKind ActorKind { get; set; }
        public string? ActorId { get; set; }
        public string? ActorName { get; set; }
        public string? Note { get; set; }
        public string? Reason { get; set; }
    }
}
