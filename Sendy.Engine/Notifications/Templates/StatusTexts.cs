using Sendy.Engine.Deliveries;
namespace Sendy.Engine.Notifications.Templates;

/// <summary>The fixed wording of status notifications in one language.</summary>
internal sealed record StatusTexts(
    string Label,
    string Headline)
{
    public static StatusTexts For(DeliveryStatus status, NotificationLanguage language) =>
        language == NotificationLanguage.Korean ? Korean(status) : English(status);

    private static StatusTexts English(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Booked => new("Booked", "We have received your delivery request."),
        DeliveryStatus.DriverAssigned => new("Driver assigned", "A driver has been assigned to your delivery."),
        DeliveryStatus.EnRouteToPickup => new("On the way to pickup", "The driver is on the way to the pickup point."),
        DeliveryStatus.PickedUp => new("Picked up", "Your freight has been picked up."),
        DeliveryStatus.InTransit => new("In transit", "Your freight is on its way."),
        DeliveryStatus.Arrived => new("Arrived", "The truck has arrived at the destination."),
        DeliveryStatus.Delivered => new("Delivered", "Your freight has been delivered."),
        DeliveryStatus.Cancelled => new("Cancelled", "Your delivery has been cancelled."),
        DeliveryStatus.Failed => new("Delivery failed", "We could not complete your delivery."),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown delivery status."),
    };

    private static StatusTexts Korean(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Booked => new("접수 완료", "배송 요청이 접수되었습니다."),
        DeliveryStatus.DriverAssigned => new("기사 배정", "배송에 기사님이 배정되었습니다."),
        DeliveryStatus.EnRouteToPickup => new("상차지 이동 중", "기사님이 상차지로 이동하고 있습니다."),
        DeliveryStatus.PickedUp => new("상차 완료", "화물 상차가 완료되었습니다."),
        DeliveryStatus.InTransit => new("운송 중", "화물이 목적지로 운송 중입니다."),
        DeliveryStatus.Arrived => new("도착", "차량이 목적지에 도착했습니다."),
        DeliveryStatus.Delivered => new("배송 완료", "화물 배송이 완료되었습니다."),
        DeliveryStatus.Cancelled => new("배송 취소", "배송이 취소되었습니다."),
        DeliveryStatus.Failed => new("배송 실패", "배송을 완료하지 못했습니다."),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown delivery status."),
    };
}

/// <summary>The words around the status, per language.</summary>
internal sealed record FrameTexts(
    Func<string, string> Greeting,
    Func<string, string> SubjectPrefix,
    string DriverLabel,
    Func<string, string> DriverName,
    string TruckLabel,
    string ReasonLabel,
    string TrackLive,
    string ViewDelivery,
    string Footer,
    string HtmlLang)
{
    public static FrameTexts For(NotificationLanguage language) => language == NotificationLanguage.Korean ? KoreanTexts : EnglishTexts;

    private static readonly FrameTexts EnglishTexts = new(
        name => $"Hello {name},",
        id => $"Delivery {id}",
        "Driver",
        first => first,
        "Truck",
        "Reason",
        "Track your delivery live",
        "View your delivery",
        "This is an automatic message from Sendy. Please do not reply.",
        "en");

    private static readonly FrameTexts KoreanTexts = new(
        name => $"{name} 고객님, 안녕하세요.",
        id => $"배송 {id}",
        "담당 기사",
        first => $"{first} 기사님",
        "차량 번호",
        "사유",
        "실시간 위치 보기",
        "배송 내역 보기",
        "본 메일은 Sendy에서 자동으로 발송되었습니다. 회신하지 마세요.",
        "ko");
}
