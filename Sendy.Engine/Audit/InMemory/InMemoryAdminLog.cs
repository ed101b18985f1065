using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Audit.InMemory;

/// <summary>The admin log in memory, for tests of what reads or writes it. <see cref="Fail"/> makes every call throw.</summary>
public sealed class InMemoryAdminLog(TimeProvider? time = null) : IAdminLog
{
    private readonly Lock _gate = new();
    private readonly List<AdminLogRow> _rows = [];
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public bool Fail { get; set; }

    public IReadOnlyList<AdminLogRow> Rows
    {
        get
        {
            lock (_gate) return [.. _rows];
        }
    }

    public Task<long> BeginAsync(AdminActor who, StaffAction what, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        lock (_gate)
        {
            var id = _rows.Count + 1L;
            _rows.Add(new AdminLogRow(id, _time.GetUtcNow(), null, who, what, 0, AdminLogOutcome.Started));
            return Task.FromResult(id);
        }
    }

    public Task<bool> FinishAsync(long id, AdminLogOutcome outcome, long rows, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        lock (_gate)
        {
            var i = _rows.FindIndex(r => r.Id == id && r.Outcome == AdminLogOutcome.Started);
            if (i < 0) return Task.FromResult(false);
            _rows[i] = _rows[i] with { Outcome = outcome, Rows = rows, FinishedAt = _time.GetUtcNow() };
            return Task.FromResult(true);
        }
    }

    /// <summary>Adds a finished row as it would be read back (for pages under test).</summary>
    public void Add(AdminLogRow row)
    {
        lock (_gate) _rows.Add(row);
    }

    public Task<LogPage<AdminLogRow>> PageAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        lock (_gate)
        {
            var rows = _rows.OrderByDescending(r => r.Id).Skip(Math.Max(page, 0) * pageSize).Take(pageSize).ToList();
            return Task.FromResult(new LogPage<AdminLogRow>(rows, _rows.Count));
        }
    }

    private void ThrowIfFailing()
    {
        if (Fail) throw new InvalidOperationException("the admin log is failing (test)");
    }
}
