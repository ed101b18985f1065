using Sendy.Engine.Deliveries;
using Sendy.Engine.Notifications.Templates;

namespace Sendy.Engine.Tests.Notifications.Templates;

public sealed class StatusNotificationTemplatesTests
{
    private static readonly Uri Link = new("https://sendy.example/t/tok?x=1&y=2");
    private readonly StatusNotificationTemplates _templates = new();

    public static TheoryData<DeliveryStatus, NotificationLanguage> Every()
    {
        var data = new TheoryData<DeliveryStatus, NotificationLanguage>();
        foreach (DeliveryStatus s in Enum.GetValues<DeliveryStatus>())
        {
            data.Add(s, NotificationLanguage.English);
            data.Add(s, NotificationLanguage.Korean);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void every_status_renders_in_both_languages_with_id_and_link(DeliveryStatus status, NotificationLanguage language)
    {
        RenderedNotification r = _templates.Render(new StatusChangeNotice("Kim", "D-1", status, Link), language);

        Assert.Contains("D-1", r.Subject);
        Assert.Contains("href=\"https://sendy.example/t/tok?x=1&amp;y=2\"", r.HtmlBody);
        Assert.Contains("https://sendy.example/t/tok?x=1&y=2", r.TextBody);
        Assert.Contains("https://sendy.example/t/tok?x=1&y=2", r.SmsText);
        Assert.Contains(language == NotificationLanguage.Korean ? "lang=\"ko\"" : "lang=\"en\"", r.HtmlBody);
    }

    [Fact]
    public void korean_and_english_say_the_same_thing_in_their_own_words()
    {
        var notice = new StatusChangeNotice("박서준", "D-7Q2K", DeliveryStatus.Cancelled, Link, Reason: "고객 요청", TruckPlate: "12가3456", DriverFirstName: "민수");

        RenderedNotification ko = _templates.Render(notice, NotificationLanguage.Korean);
        RenderedNotification en = _templates.Render(notice with { CustomerName = "Seojun Park", Reason = "customer request" }, NotificationLanguage.English);

        Assert.Equal("[Sendy] 배송 D-7Q2K: 배송 취소", ko.Subject);
        Assert.Contains("박서준 고객님, 안녕하세요.", ko.TextBody);
        Assert.Contains("사유: 고객 요청", ko.TextBody);
        Assert.Contains("담당 기사: 민수 기사님", ko.TextBody);
        Assert.Contains("차량 번호: 12가3456", ko.TextBody);
        Assert.Contains("배송 내역 보기", ko.TextBody);

        Assert.Equal("[Sendy] Delivery D-7Q2K: Cancelled", en.Subject);
        Assert.Contains("Hello Seojun Park,", en.TextBody);
        Assert.Contains("Reason: customer request", en.TextBody);
        Assert.Contains("Driver: 민수", en.TextBody);
        Assert.Contains("View your delivery", en.TextBody);
    }

    [Fact]
    public void caller_values_are_html_encoded()
    {
        var notice = new StatusChangeNotice("<script>alert(1)</script>", "D-<b>", DeliveryStatus.Failed, Link,
            Reason: "\"bad\" & <i>worse</i>", TruckPlate: "<img src=x>", DriverFirstName: "O'Neil");

        string html = _templates.Render(notice, NotificationLanguage.English).HtmlBody;

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<i>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&quot;bad&quot; &amp; &lt;i&gt;worse&lt;/i&gt;", html);
        Assert.Contains("D-&lt;b&gt;", html);
        Assert.Contains("O&#39;Neil", html);
    }

    [Fact]
    public void only_http_links_are_accepted()
    {
        Assert.Throws<ArgumentException>(() =>
            _templates.Render(new StatusChangeNotice("Kim", "D-1", DeliveryStatus.Booked, new Uri("javascript:alert(1)")), NotificationLanguage.English));
    }

    [Theory]
    [InlineData("ko", NotificationLanguage.Korean)]
    [InlineData("ko-KR", NotificationLanguage.Korean)]
    [InlineData("en-US", NotificationLanguage.English)]
    [InlineData(null, NotificationLanguage.English)]
    [InlineData("kok", NotificationLanguage.English)]
    public void language_tags_choose_korean_or_english(string? tag, NotificationLanguage expected) =>
        Assert.Equal(expected, NotificationLanguages.FromTag(tag));
}
