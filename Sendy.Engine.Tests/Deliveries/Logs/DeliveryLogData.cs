using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using NetTopologySuite.Geometries;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Deliveries.Logs;

/// <summary>
/// A small, known set of trucks, drivers, deliveries, status events, notifications and positions
/// on a database of its own, written once per test class.
/// </summary>
public sealed class DeliveryLogData : IAsyncLifetime
{
    public static readonly DateTimeOffset Day = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    public TestDatabase Db { get; } = new();

    public FakeTimeProvider Time { get; } = new(Day.AddHours(6));

    public Guid Kim { get; } = Guid.NewGuid();
    public Guid Lee { get; } = Guid.NewGuid();

    /// <summary>ACME, truck lg-1, Kim, delivered: assigned 01:05, picked up 02:00, delivered 05:00.</summary>
    public Guid Acme { get; } = Guid.Parse("aaaa1111-0000-0000-0000-000000000001");

    /// <summary>한빛 물류, truck lg-2, Lee, in transit since 04:00.</summary>
    public Guid Hanbit { get; } = Guid.Parse("bbbb2222-0000-0000-0000-000000000002");

    /// <summary>Booked (no truck), created exactly at the next midnight; its name holds LIKE wildcards.</summary>
    public Guid Booked { get; } = Guid.Parse("cccc3333-0000-0000-0000-000000000003");

    /// <summary>Cancelled, created one second before the day; its name is a spreadsheet formula.</summary>
    public Guid Formula { get; } = Guid.Parse("dddd4444-0000-0000-0000-000000000004");

    public const string FormulaName = "=HYPERLINK(\"http://evil.test\",\"click\")";
    public const string HanbitNote = "문 앞에 두세요, \"조심\"";

    public DeliveryLogQueries LogQueries => new(new Factory(Db));

    public DeliveryHistoryQueries HistoryQueries => new(new Factory(Db), Db.DataSource, Time);

    public async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        await using var db = Db.CreateContext();
        db.Trucks.AddRange(
            new Truck { Id = "lg-1", Name = "Truck One", Plate = "서울 12가 3456", CreatedAt = Day },
            new Truck { Id = "lg-2", Name = "Truck Two", Plate = "부산 34나 5678", CreatedAt = Day });
        db.Drivers.AddRange(
            new Driver { Id = Kim, Name = "Kim Minsu", TruckId = "lg-1", TokenHash = Guid.NewGuid().ToByteArray(), CreatedAt = Day },
            new Driver { Id = Lee, Name = "Lee Jiwoo", TruckId = "lg-2", TokenHash = Guid.NewGuid().ToByteArray(), CreatedAt = Day });
        db.Deliveries.AddRange(
            Delivery(Acme, "ACME Logistics", "lg-1", Kim, DeliveryStatus.Delivered, Day.AddHours(1), Day.AddHours(2), Day.AddHours(5)),
            Delivery(Hanbit, "한빛 물류", "lg-2", Lee, DeliveryStatus.InTransit, Day.AddHours(3), Day.AddHours(4), null),
            Delivery(Booked, "Booked 50%_Corp", null, null, DeliveryStatus.Booked, Day.AddDays(1), null, null),
            Delivery(Formula, FormulaName, "lg-1", Kim, DeliveryStatus.Cancelled, Day.AddSeconds(-1), null, null));
        await db.SaveChangesAsync();

        var acmeAssigned = Event(Acme, DeliveryStatus.Booked, DeliveryStatus.DriverAssigned, StatusActorKind.Dispatcher, "disp@sendy.test", Day.AddMinutes(65));
        var acmePicked = Event(Acme, DeliveryStatus.DriverAssigned, DeliveryStatus.PickedUp, StatusActorKind.Driver, Kim.ToString(), Day.AddHours(2));
        var acmeDelivered = Event(Acme, DeliveryStatus.PickedUp, DeliveryStatus.Delivered, StatusActorKind.Driver, Kim.ToString(), Day.AddHours(5));
        db.StatusEvents.AddRange(acmeAssigned, acmePicked, acmeDelivered,
            Event(Hanbit, DeliveryStatus.Booked, DeliveryStatus.DriverAssigned, StatusActorKind.Dispatcher, "disp@sendy.test", Day.AddMinutes(185)),
            Event(Hanbit, DeliveryStatus.DriverAssigned, DeliveryStatus.PickedUp, StatusActorKind.Driver, Lee.ToString(), Day.AddHours(4), HanbitNote),
            Event(Formula, DeliveryStatus.Booked, DeliveryStatus.Cancelled, StatusActorKind.System, "geofence", Day.AddSeconds(-1)));
        await db.SaveChangesAsync();

        var sentEmail = new OutboxMessage { StatusEventId = acmePicked.Id, DeliveryId = Acme, Channel = "email", CreatedAt = Day.AddHours(2), EnqueuedAt = Day.AddHours(2), JobId = "7" };
        var pendingSms = new OutboxMessage { StatusEventId = acmeDelivered.Id, DeliveryId = Acme, Channel = "sms", CreatedAt = Day.AddHours(5) };
        db.Outbox.AddRange(sentEmail, pendingSms);
        await db.SaveChangesAsync();
        db.NotificationsSent.Add(new NotificationSent { OutboxId = sentEmail.Id, Channel = "email", SentAt = Day.AddHours(2).AddSeconds(3), Result = "<abc@sendy.test>" });
        await db.SaveChangesAsync();

        // lg-1: one fix a minute from midnight to 06:00 (ACME's route is 01:05..05:00); lg-2 likewise.
        foreach (var truck in new[] { "lg-1", "lg-2" })
        {
            await Db.ExecuteAsync("""
                INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location, speed_mps, heading_degrees)
                SELECT 's', 'shard-' || $1, g::text, $1, $2 + g * interval '1 minute', $2 + g * interval '1 minute', now(),
                       ST_SetSRID(ST_MakePoint(127 + g * 0.001, 37 + g * 0.001), 4326), 12, 45
                FROM generate_series(0, 360) g
                """, truck, Day);
        }
    }

    public Task DisposeAsync() => Db.DisposeAsync();

    private static Delivery Delivery(Guid id, string customer, string? truck, Guid? driver, DeliveryStatus status, DateTimeOffset createdAt,
        DateTimeOffset? pickedUpAt, DateTimeOffset? deliveredAt) => new()
        {
            Id = id, TrackingTokenHash = id.ToByteArray(), CustomerName = customer, TruckId = truck, DriverId = driver, Status = status,
            CreatedAt = createdAt, StatusChangedAt = createdAt, PickedUpAt = pickedUpAt, DeliveredAt = deliveredAt,
            ClosedAt = status is DeliveryStatus.Delivered or DeliveryStatus.Cancelled ? deliveredAt ?? createdAt : null,
            PickupAddress = "인천 중구 공항로 272", PickupLocation = new Point(126.45, 37.46) { SRID = 4326 },
            DropoffAddress = "부산 해운대구 센텀중앙로 55", DropoffLocation = new Point(129.13, 35.17) { SRID = 4326 },
            PromisedTo = createdAt.AddHours(5),
        };

    private static DeliveryStatusEvent Event(Guid delivery, DeliveryStatus from, DeliveryStatus to, StatusActorKind kind, string actor,
        DateTimeOffset at, string? note = null) => new()
        {
            Id = Guid.NewGuid(), DeliveryId = delivery, FromStatus = from, ToStatus = to, ActorKind = kind, ActorId = actor, OccurredAt = at,
            Note = note, IdempotencyKey = Guid.NewGuid().ToString(),
        };

    private sealed class Factory(TestDatabase db) : IDbContextFactory<SendyDbContext>
    {
        public SendyDbContext CreateDbContext() => db.CreateContext();
    }
}
