using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Audit;

/// <summary>The admin log in PostgreSQL (<c>admin_log</c>), newest first by id.</summary>
public sealed class PostgresAdminLog(IDbContextFactory<SendyDbContext> contexts, TimeProvider time) : IAdminLog
{
    public async Task<long> BeginAsync(AdminActor who, StaffAction what, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entry = new AdminLogEntry
        {
            StartedAt = time.GetUtcNow(),
            ActorKind = who.Kind,
            ActorId = Cut(who.Id, AdminActor.MaxId)!,
            ActorName = Cut(who.Name, AdminActor.MaxName),
            ActorEmail = Cut(who.Email, AdminActor.MaxName),
            Action = what.Action,
            Format = what.Format,
            DeliveryId = what.DeliveryId,
            TruckId = Cut(what.TruckId, AdminActor.MaxId),
            Day = what.Day,
            Detail = Cut(what.Detail, StaffAction.MaxDetail),
            Outcome = AdminLogOutcome.Started,
        };
        db.AdminLog.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        return entry.Id;
    }

    public async Task<bool> FinishAsync(long id, AdminLogOutcome outcome, long rows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(outcome, AdminLogOutcome.Started);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        return await db.AdminLog.Where(e => e.Id == id && e.Outcome == AdminLogOutcome.Started)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Outcome, outcome).SetProperty(e => e.Rows, rows).SetProperty(e => e.FinishedAt, now),
                cancellationToken) == 1;
    }

    public async Task<LogPage<AdminLogRow>> PageAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        pageSize = Math.Clamp(pageSize, 1, LogPageRequest<DeliveryLogSort>.MaxPageSize);
        page = Math.Max(page, 0);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var total = await db.AdminLog.CountAsync(cancellationToken);
        var rows = await db.AdminLog.AsNoTracking().OrderByDescending(e => e.Id).Skip(page * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);
        return new LogPage<AdminLogRow>(rows.Select(ToRow).ToList(), total);
    }

    internal static AdminLogRow ToRow(AdminLogEntry e) => new(e.Id, e.StartedAt, e.FinishedAt,
        new AdminActor(e.ActorKind, e.ActorId, e.ActorName, e.ActorEmail),
        new StaffAction(e.Action, e.Format, e.DeliveryId, e.TruckId, e.Day, e.Detail), e.Rows, e.Outcome);

    /// <summary>Fits the column; PostgreSQL's text cannot hold NUL, which a query string can carry (%00).</summary>
    private static string? Cut(string? text, int max)
    {
        if (text is null) return null;
        text = text.Replace('\0', '\uFFFD');
        return text.Length > max ? text[..max] : text;
    }
}
