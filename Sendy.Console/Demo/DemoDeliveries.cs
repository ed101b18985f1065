using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;
using Sendy.Engine.Storage;

namespace Sendy.Console.Demo;

/// <summary>
/// Demo deliveries along the demo routes: pickup at one end of a truck's route, drop-off at the
/// other (in its driving direction), real Korean addresses, statuses spread along the flow so the
/// geofence and the notifications have something to do.
/// </summary>
public sealed class DemoDeliveries(IDbContextFactory<SendyDbContext> contexts, DeliveryBookingService bookings, DeliveryStatusService statuses,
    FleetRegistry fleet)
{
    public const string FirstCustomer = "박지우 (demo customer)";

    /// <summary>(start address, end address) per route of <see cref="DemoRoutes.All"/>, in the route's order.</summary>
    private static readonly (string Start, string End)[] Addresses =
    [
        ("서울특별시 성동구 성수이로 113 (성수 물류센터)", "부산광역시 동구 충장대로 206 (부산항 국제여객터미널)"),
        ("서울특별시 양천구 목동동로 201", "인천광역시 중구 서해대로 366 (인천항)"),
        ("인천광역시 남동구 남동대로 215 (남동공단)", "강원특별자치도 강릉시 경강로 2100"),
        ("대전광역시 유성구 대덕대로 480", "광주광역시 서구 상무중앙로 7"),
        ("부산광역시 사상구 새벽로 215", "경상남도 진주시 동진로 155"),
        ("서울특별시 금천구 가산디지털1로 168", "충청남도 당진시 송악읍 부곡공단4길 28"),
        ("대구광역시 북구 유통단지로 45 (대구 유통단지)", "경상북도 안동시 경동로 1375"),
        ("경기도 수원시 권선구 산업로 155", "대전광역시 대덕구 대덕대로 1417"),
    ];

    private static readonly string[] Customers = ["한빛상사", "Daehan Foods", "미래전자", "Seoul Textiles", "남해수산", "Hanul Chemicals", "경북농산"];

    private static readonly DeliveryStatus[] Spread = [DeliveryStatus.InTransit, DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp, DeliveryStatus.DriverAssigned];

    /// <summary>Makes sure each of the first trucks has an open delivery; returns a fresh tracking token for the first one's.</summary>
    public async Task<string> EnsureAsync(IReadOnlyList<(string TruckId, Guid DriverId, int Route, bool Reverse)> trucks, CancellationToken ct)
    {
        string? firstToken = null;
        for (var i = 0; i < Math.Min(trucks.Count, Addresses.Length); i++)
        {
            var (truckId, driverId, routeIndex, reverse) = trucks[i];
            await using var db = await contexts.CreateDbContextAsync(ct);
            var open = await db.Deliveries.Where(d => d.DriverId == driverId && d.ClosedAt == null).OrderBy(d => d.CreatedAt)
                .Select(d => (Guid?)d.Id).FirstOrDefaultAsync(ct);
            if (open is { } existing)
            {
                if (i == 0) firstToken = await fleet.RotateTrackingTokenAsync(existing, ct);
                continue;
            }

            var route = DemoRoutes.All[routeIndex].Points;
            var (startText, endText) = Addresses[routeIndex];
            var start = new GeoAddress(startText, route[0].Lat, route[0].Lon);
            var end = new GeoAddress(endText, route[^1].Lat, route[^1].Lon);
            var (pickup, dropoff) = reverse ? (end, start) : (start, end);
            var booked = await bookings.BookAsync(new NewDelivery(
                i == 0 ? FirstCustomer : Customers[i % Customers.Length],
                i == 0 ? "jiwoo.park@example.com" : $"demo{i}@example.com",
                i % 2 == 0 ? "+8210" + (20000000 + i * 1111).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
                i % 3 == 1 ? "en" : "ko", pickup, dropoff, DateTimeOffset.UtcNow.AddHours(3 + i)), "demo", ct);
            await bookings.AssignAsync(booked.Id, driverId, "demo", ct);
            var target = Spread[i % Spread.Length];
            foreach (var next in new[] { DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp, DeliveryStatus.InTransit }.Where(s => s <= target))
                await statuses.ChangeAsync(new StatusChangeRequest(booked.Id, next, StatusActor.Driver(driverId), $"demo-{next}"), ct);
            if (i == 0) firstToken = booked.TrackingToken;
        }
        return firstToken ?? throw new InvalidOperationException("the demo fleet has no trucks");
    }
}
