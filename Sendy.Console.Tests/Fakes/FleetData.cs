using Sendy.Engine.Deliveries;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Fakes;

/// <summary>A made-up fleet around Korean cities, the same for every run.</summary>
public static class FleetData
{
    private static readonly (string City, double Lat, double Lng)[] Cities =
    [
        ("Seoul", 37.5665, 126.9780), ("Incheon", 37.4563, 126.7052), ("Suwon", 37.2636, 127.0286),
        ("Daejeon", 36.3504, 127.3845), ("Daegu", 35.8714, 128.6014), ("Busan", 35.1796, 129.0756),
        ("Gwangju", 35.1595, 126.8526), ("Gangneung", 37.7519, 128.8761), ("Cheongju", 36.6424, 127.4890),
        ("Ulsan", 35.5384, 129.3114),
    ];

    private static readonly string[] Drivers =
    [
        "김민수", "이서준", "박지훈", "최현우", "정우진", "강도윤", "조성민", "윤재혁", "장태양", "임하늘", "한지성", "오승현",
    ];

    private static readonly string[] Customers = ["ACME Logistics", "Hanbit Foods", "Daehan Steel", "Mirae Pharma", "Seoul Books"];

    private static readonly DeliveryStatus[] Statuses =
    [
        DeliveryStatus.InTransit, DeliveryStatus.InTransit, DeliveryStatus.InTransit, DeliveryStatus.PickedUp, DeliveryStatus.Arrived,
        DeliveryStatus.EnRouteToPickup, DeliveryStatus.DriverAssigned,
    ];

    private static readonly string[] Regions = ["서울", "경기", "인천", "부산", "대전", "대구", "광주", "충남"];

    public static string Id(int i) => $"truck-{i:D4}";

    /// <summary>
    /// <paramref name="count"/> trucks: every 7th stale (last fix 20 min ago), every 4th stopped,
    /// the rest moving at 60-100 km/h; every 9th without a delivery.
    /// </summary>
    public static List<FleetTruck> Trucks(int count, DateTimeOffset now)
    {
        var random = new Random(17);
        var trucks = new List<FleetTruck>(count);
        for (var i = 1; i <= count; i++)
        {
            var (city, lat, lng) = Cities[i % Cities.Length];
            var stale = i % 7 == 0;
            var stopped = !stale && i % 4 == 0;
            var at = stale ? now.AddMinutes(-20) : now.AddSeconds(-random.Next(1, 40));
            var position = new TruckPosition(Id(i), lat + (random.NextDouble() - 0.5) * 0.5, lng + (random.NextDouble() - 0.5) * 0.6,
                at, at, stopped ? 0 : 16 + random.NextDouble() * 12, random.Next(0, 360), 5);
            var delivery = i % 9 == 0 ? null
                : new CurrentDelivery(new Guid(i, 0, 0, new byte[8]), Customers[i % Customers.Length], Statuses[i % Statuses.Length]);
            trucks.Add(new FleetTruck(Id(i), $"{city} {i:D3}", $"{Regions[i % Regions.Length]} {10 + i % 90}가 {1000 + i * 37 % 9000}",
                Drivers[i % Drivers.Length], delivery, position));
        }
        return trucks;
    }

    /// <summary>A short trail ending near the truck's position.</summary>
    public static List<TrailPoint> Trail(TruckPosition end, DateTimeOffset now, int points = 40)
    {
        var trail = new List<TrailPoint>(points);
        for (var k = points; k >= 1; k--)
            trail.Add(new TrailPoint(end.Latitude - k * 0.0025, end.Longitude - k * 0.002 + Math.Sin(k / 4.0) * 0.003, now.AddMinutes(-k)));
        return trail;
    }

    public static TruckPosition Fix(string truckId, double lat, double lng, DateTimeOffset at, double speedMps = 20, double? heading = 45) =>
        new(truckId, lat, lng, at, at, speedMps, heading, 5);
}
