using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Audit;
using Sendy.Engine.Exports;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Audit;

/// <summary>The admin log on the real PostgreSQL: written at the start, finished once, read newest first in pages.</summary>
public sealed class PostgresAdminLogTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 1, 0, 0, TimeSpan.Zero);
    private static readonly AdminActor Admin = new(AdminActorKind.Staff, "user-1", "Kim Admin", "admin@test.local");

    private readonly FakeTimeProvider _time = new(Start);

    private PostgresAdminLog Log => new(new ContextFactory(db), _time);

    [Fact]
    public async Task an_export_is_written_when_it_starts_and_finished_with_its_outcome_and_rows()
    {
        var day = new DateOnly(2026, 12, 5);
        var id = await Log.BeginAsync(Admin, new StaffAction(AdminAction.TruckDayTrackExport, ExportFormat.Gpx, TruckId: "T-1", Day: day), default);

        var started = await RowAsync(id);
        Assert.Equal((AdminLogOutcome.Started, 0L, (DateTimeOffset?)null, Start), (started.Outcome, started.Rows, started.FinishedAt, started.StartedAt));
        Assert.Equal(Admin, started.Who);
        Assert.Equal(new StaffAction(AdminAction.TruckDayTrackExport, ExportFormat.Gpx, null, "T-1", day, null), started.What);

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(await Log.FinishAsync(id, AdminLogOutcome.Completed, 43_200, default));

        var done = await RowAsync(id);
        Assert.Equal((AdminLogOutcome.Completed, 43_200L, (DateTimeOffset?)Start.AddSeconds(3)), (done.Outcome, done.Rows, done.FinishedAt));
        // Stored by name, so a reordered enum cannot change what old rows say.
        Assert.Equal("TruckDayTrackExport Gpx Completed Staff", await db.ScalarAsync<string>(
            "SELECT action || ' ' || format || ' ' || outcome || ' ' || actor_kind FROM admin_log WHERE id = $1", id));
    }

    [Fact]
    public async Task the_first_end_stands_and_an_unknown_id_is_not_finished()
    {
        var id = await Log.BeginAsync(Admin, new StaffAction(AdminAction.DeliveriesLogExport, ExportFormat.Csv, Detail: "truck=T-1"), default);

        Assert.True(await Log.FinishAsync(id, AdminLogOutcome.Aborted, 12, default));
        Assert.False(await Log.FinishAsync(id, AdminLogOutcome.Completed, 99, default));
        Assert.False(await Log.FinishAsync(long.MaxValue, AdminLogOutcome.Completed, 1, default));

        var row = await RowAsync(id);
        Assert.Equal((AdminLogOutcome.Aborted, 12L), (row.Outcome, row.Rows));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Log.FinishAsync(id, AdminLogOutcome.Started, 0, default));
    }

    [Fact]
    public async Task pages_are_newest_first_and_disjoint()
    {
        var who = new AdminActor(AdminActorKind.ApiClient, Guid.NewGuid().ToString(), "booking-" + Guid.NewGuid().ToString("N")[..6], null);
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await Log.BeginAsync(who, new StaffAction(AdminAction.StatusEventsLogExport, ExportFormat.Csv, Detail: "page " + i), default));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        var total = await db.ScalarAsync<long>("SELECT count(*) FROM admin_log");
        var first = await Log.PageAsync(0, 2, default);
        var second = await Log.PageAsync(1, 2, default);

        Assert.Equal(total, first.Total);
        Assert.Equal([ids[4], ids[3]], first.Rows.Select(r => r.Id));
        Assert.Equal([ids[2], ids[1]], second.Rows.Select(r => r.Id));
        Assert.All(first.Rows, r => Assert.Equal(who, r.Who));
    }

    [Fact]
    public async Task over_long_names_and_filters_are_cut_to_fit_and_nul_replaced_not_refused()
    {
        var who = new AdminActor(AdminActorKind.Staff, new string('i', 300), new string('n', 1000), new string('e', 1000) + "@test.local");
        var id = await Log.BeginAsync(who, new StaffAction(AdminAction.DeliveriesLogExport, ExportFormat.Csv, Detail: new string('d', 10_000)), default);

        var row = await RowAsync(id);
        Assert.Equal(AdminActor.MaxId, row.Who.Id.Length);
        Assert.Equal(AdminActor.MaxName, row.Who.Name!.Length);
        Assert.Equal(AdminActor.MaxName, row.Who.Email!.Length);
        Assert.Equal(StaffAction.MaxDetail, row.What.Detail!.Length);

        var nul = await Log.BeginAsync(Admin, new StaffAction(AdminAction.DeliveriesLogExport, ExportFormat.Csv, Detail: "truck=\0x"), default);
        Assert.Equal("truck=\uFFFDx", (await RowAsync(nul)).What.Detail);
    }

    private async Task<AdminLogRow> RowAsync(long id)
    {
        await using var context = db.CreateContext();
        return PostgresAdminLog.ToRow(await context.AdminLog.AsNoTracking().SingleAsync(e => e.Id == id));
    }

    private sealed class ContextFactory(TestDatabase db) : IDbContextFactory<SendyDbContext>
    {
        public SendyDbContext CreateDbContext() => db.CreateContext();
    }
}
