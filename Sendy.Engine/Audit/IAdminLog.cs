using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Audit;

/// <summary>
/// The admin log: a record of what staff did, newest first. An action is written when it starts
/// (so a crash mid-way still leaves who asked) and finished once, with its outcome and row count.
/// </summary>
public interface IAdminLog
{
    /// <summary>Records the start of an action; the id is what <see cref="FinishAsync"/> takes.</summary>
    Task<long> BeginAsync(AdminActor who, StaffAction what, CancellationToken cancellationToken);

    /// <summary>Ends a started action. False when it is unknown or already finished (the first end stands).</summary>
    Task<bool> FinishAsync(long id, AdminLogOutcome outcome, long rows, CancellationToken cancellationToken);

    /// <summary>One page, newest first; <paramref name="page"/> is zero-based, at most <see cref="LogPageRequest{TSort}.MaxPageSize"/> rows.</summary>
    Task<LogPage<AdminLogRow>> PageAsync(int page, int pageSize, CancellationToken cancellationToken);
}
