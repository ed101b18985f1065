using Sendy.Engine.Deliveries;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Fakes;

public static class TestData
{
    public const string TrackingToken = "trk-7c0f6b1e9d2a4c5f8e3b";
    public const string DriverToken = "drv-4a1e2f9b0c7d6e5a";
    public const string TruckId = "truck-17";

    public static TrackingView Delivery(TruckPosition? latest = null, DeliveryStatus status = DeliveryStatus.InTransit) => new(
        DeliveryId: Guid.Parse("6f1c1f7e-6a55-4b8e-9f8f-3d8e2c1b0a99"),
        TruckId: TruckId,
        TruckName: "Hyundai Xcient #17",
        Plate: "서울 12가 3456",
        DriverFirstName: "Minji",
        CustomerName: "ACME Logistics",
        Status: status,
        LatestPosition: latest);

    /// <summary>Pickup in Incheon, drop-off in Seoul (Yongsan): a morning's drive.</summary>
    public static TrackingPlace Pickup { get; } = new("인천광역시 중구 서해대로 366", 37.4563, 126.6052);

    public static TrackingPlace Dropoff { get; } = new("서울특별시 용산구 한강대로 405", 37.5547, 126.9707);

    public static DriverIdentity Driver() => new(Guid.Parse("0b9e8d7c-1a2b-4c3d-9e8f-7a6b5c4d3e2f"), "Kim Minji", TruckId);

    public static TruckPosition Position(double lat, double lon, DateTimeOffset at, double? heading = null) =>
        new(TruckId, lat, lon, at, at, SpeedMps: 12.5, HeadingDegrees: heading, AccuracyMeters: 5);
}
