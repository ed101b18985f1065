using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Shippers;

/// <summary>A shipper as typed: blank optionals are none; a missing locale is "ko", missing channels are all of them.</summary>
public sealed record ShipperInput(string? Name, string? ContactName, string? ContactEmail, string? ContactPhone, string? Locale, IReadOnlyList<string>? NotifyBy);

public sealed record ShipperView(Guid Id, string Name, string? ContactName, string? ContactEmail, string? ContactPhone, string Locale,
    IReadOnlyList<string> NotifyBy, DateTimeOffset CreatedAt)
{
    internal static ShipperView Of(Shipper s) => new(s.Id, s.Name, s.ContactName, s.ContactEmail, s.ContactPhone, s.Locale, s.NotifyBy, s.CreatedAt);
}

/// <summary>What a booking takes from its shipper where it leaves them out.</summary>
public sealed record ShipperDefaults(Guid Id, string Locale, string[] NotifyBy);

/// <summary>The companies that book: created and edited by staff (or a booking system with deliveries:write), listed for booking forms.</summary>
public sealed class ShipperRegistry(IDbContextFactory<SendyDbContext> contexts, TimeProvider time)
{
    private const string NameKey = "ix_shippers_name";

    /// <summary>How long a shipper's defaults are reused by bookings without reading them again.</summary>
    public static readonly TimeSpan DefaultsLifetime = TimeSpan.FromSeconds(5);

    // An unknown shipper is not remembered (zero lifetime): one created meanwhile books at once.
    private readonly Ingest.ExpiringLookup<ShipperDefaults> _defaults = new(time, DefaultsLifetime, TimeSpan.Zero);

    /// <summary>
    /// The shipper's booking defaults, or null for an unknown shipper. Every booking needs them, and
    /// a booking system books hundreds a second for a handful of shippers: they are read at most
    /// once per <see cref="DefaultsLifetime"/>. An edit on this node is seen at once; on another
    /// node, by the bookings after that lifetime.
    /// </summary>
    public Task<ShipperDefaults?> DefaultsAsync(Guid id, CancellationToken cancellationToken) =>
        _defaults.GetAsync(id.ToString(), async (_, ct) =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            return await db.Shippers.AsNoTracking().Where(s => s.Id == id)
                .Select(s => new ShipperDefaults(s.Id, s.Locale, s.NotifyBy)).FirstOrDefaultAsync(ct);
        }, cancellationToken);

    public async Task<(ShipperView? Shipper, IReadOnlyList<ShipperProblem> Problems)> CreateAsync(ShipperInput input, CancellationToken cancellationToken)
    {
        var problems = ShipperRules.Check(input);
        if (problems.Count > 0) return (null, problems);
        var shipper = new Shipper { Id = Guid.CreateVersion7(time.GetUtcNow()), Name = input.Name!.Trim(), CreatedAt = time.GetUtcNow() };
        Apply(shipper, input);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Shippers.Add(shipper);
        return await SaveAsync(db, shipper, cancellationToken);
    }

    public async Task<(ShipperView? Shipper, IReadOnlyList<ShipperProblem> Problems)> UpdateAsync(Guid id, ShipperInput input, CancellationToken cancellationToken)
    {
        var problems = ShipperRules.Check(input);
        if (problems.Count > 0) return (null, problems);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var shipper = await db.Shippers.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (shipper is null) return (null, [new("", ShipperError.UnknownShipper)]);
        shipper.Name = input.Name!.Trim();
        Apply(shipper, input);
        try
        {
            return await SaveAsync(db, shipper, cancellationToken);
        }
        finally
        {
            _defaults.Forget(id.ToString());
        }
    }

    /// <summary>Every shipper, by name.</summary>
    public async Task<IReadOnlyList<ShipperView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return (await db.Shippers.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken)).Select(ShipperView.Of).ToList();
    }

    public async Task<ShipperView?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Shippers.AsNoTracking().Where(s => s.Id == id).Select(s => ShipperView.Of(s)).FirstOrDefaultAsync(cancellationToken);
    }

    private static void Apply(Shipper shipper, ShipperInput input)
    {
        shipper.ContactName = Blank(input.ContactName);
        shipper.ContactEmail = Blank(input.ContactEmail);
        shipper.ContactPhone = Blank(input.ContactPhone);
        shipper.Locale = input.Locale ?? "ko";
        shipper.NotifyBy = input.NotifyBy is null ? [.. RecipientChannel.All] : [.. RecipientChannel.All.Where(input.NotifyBy.Contains)];
    }

    private static async Task<(ShipperView?, IReadOnlyList<ShipperProblem>)> SaveAsync(SendyDbContext db, Shipper shipper, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: "23505", ConstraintName: NameKey })
        {
            return (null, [new("name", ShipperError.NameTaken)]);
        }
        return (ShipperView.Of(shipper), []);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
