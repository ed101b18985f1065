using AngleSharp.Dom;
using Bunit;
using Sendy.Console.Components.Pages.Dispatch;
using Sendy.Console.Map;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Tests.Dispatch;

/// <summary>The dialogs: booking with validation and the link, assigning (and its refusals), cancelling.</summary>
public sealed class DeliveriesDialogTests : DeliveriesPageContext
{
    private static void Click(IRenderedComponent<MudBlazor.MudDialogProvider> dialogs, string testId) => ClickNow(dialogs, () => dialogs.Find($"[data-testid={testId}]"));

    private static string Messages(IRenderedComponent<MudBlazor.MudDialogProvider> dialogs) =>
        string.Join(" | ", dialogs.FindAll(".mud-input-helper-text.mud-input-error, .mud-input-error .mud-input-helper-text").Select(e => e.TextContent.Trim()));

    private static IRenderedComponent<MudBlazor.MudDialogProvider> OpenNew(IRenderedComponent<DeliveriesPage> page, IRenderedComponent<MudBlazor.MudDialogProvider> dialogs)
    {
        ClickNow(page, () => page.Find("[data-testid=new-delivery]"));
        dialogs.WaitForElement("[data-testid=new-delivery-form]");
        return dialogs;
    }

    [Fact]
    public void booking_with_nothing_filled_in_names_every_missing_field()
    {
        var (page, dialogs, _) = RenderPage();
        OpenNew(page, dialogs);

        Click(dialogs, "book");

        dialogs.WaitForAssertion(() =>
        {
            var messages = Messages(dialogs);
            Assert.Contains("Required, at most 200 characters", messages);
            Assert.Contains("Required, at most 300 characters", messages);
            Assert.Contains("Required, from -90 to 90", messages);
            Assert.Contains("Required, from -180 to 180", messages);
        });
        Assert.Empty(dialogs.FindAll("[data-testid=booked]"));
    }

    [Fact]
    public void wrong_email_phone_and_coordinates_get_the_api_rules_messages()
    {
        var (page, dialogs, _) = RenderPage();
        OpenNew(page, dialogs);

        Field(dialogs, "customer-email").Change("not-an-email");
        Field(dialogs, "customer-phone").Change("010-1234-5678");
        Field(dialogs, "pickup-lat").Change("91");
        Field(dialogs, "dropoff-lon").Change("-181");
        Click(dialogs, "book");

        dialogs.WaitForAssertion(() =>
        {
            var messages = Messages(dialogs);
            Assert.Contains("Not an email address", messages);
            Assert.Contains("Use the international format, e.g. +821012345678", messages);
            Assert.Contains("Required, from -90 to 90", messages);
            Assert.Contains("Required, from -180 to 180", messages);
        });
    }

    [Fact]
    public async Task a_valid_booking_shows_the_tracking_link_and_the_row()
    {
        var (page, dialogs, _) = RenderPage();
        OpenNew(page, dialogs);

        Field(dialogs, "customer-name").Change("김하늘");
        Field(dialogs, "customer-phone").Change("+821055512345");
        Field(dialogs, "pickup-address").Change("인천광역시 중구 서해대로 366");
        Field(dialogs, "dropoff-address").Change("부산광역시 강서구 신항로 295");
        // Pickup from the map (the first click places the pickup, the next one the drop-off), drop-off typed.
        var picker = dialogs.FindComponent<LocationPicker>();
        await picker.InvokeAsync(() => picker.Instance.OnMapClick(37.4563, 126.6052));
        dialogs.WaitForAssertion(() => Assert.Equal("37.4563", Field(dialogs, "pickup-lat").GetAttribute("value")));
        Assert.Equal("true", dialogs.Find("[data-testid=pick-dropoff]").GetAttribute("aria-pressed"));
        Field(dialogs, "dropoff-lat").Change("35.079");
        Field(dialogs, "dropoff-lon").Change("128.82");
        // Planned arrival in the operations zone, whatever the server's zone: 14:30 in Seoul is 05:30 UTC.
        Assert.Contains("Times in Asia/Seoul", dialogs.Find("[data-testid=new-delivery-form]").TextContent);
        Field(dialogs, "planned-date").Change("2030-11-25");
        Field(dialogs, "promised-from").Change("13:00");
        Field(dialogs, "planned-time").Change("14:30");
        Field(dialogs, "fare-amount").Change("125000");
        Field(dialogs, "external-reference").Change("PO-77");
        Click(dialogs, "book");

        dialogs.WaitForElement("[data-testid=booked]");
        var link = Field(dialogs, "tracking-link").GetAttribute("value")!;
        Assert.StartsWith(BaseUrl + "/t/", link);
        var stored = await Db.ScalarAsync<string>("SELECT customer_name FROM deliveries WHERE tracking_token_hash = $1",
            Sendy.Engine.Security.AccessTokens.Hash(link[(BaseUrl.Length + 3)..]));
        Assert.Equal("김하늘", stored);
        Assert.Equal(126.6052, await Db.ScalarAsync<double>("SELECT ST_X(pickup_location) FROM deliveries"), 6);
        Assert.Equal(new DateTime(2030, 11, 25, 5, 30, 0, DateTimeKind.Utc),
            await Db.ScalarAsync<DateTime>("SELECT promised_to FROM deliveries"));
        Assert.Equal(new DateTime(2030, 11, 25, 4, 0, 0, DateTimeKind.Utc), await Db.ScalarAsync<DateTime>("SELECT promised_from FROM deliveries"));
        Assert.Equal("125000.000 KRW PO-77 00000000-0000-7000-8000-000000000001 {email,sms}",
            await Db.ScalarAsync<string>("SELECT concat_ws(' ', fare_amount, fare_currency, external_reference, shipper_id, notify_by) FROM deliveries"));

        Click(dialogs, "booked-done");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=delivery-row][data-status=Booked]")));
    }

    [Fact]
    public async Task a_window_that_ends_before_it_starts_or_a_fare_with_decimals_in_won_is_refused_on_the_form()
    {
        var (page, dialogs, _) = RenderPage();
        OpenNew(page, dialogs);
        Field(dialogs, "customer-name").Change("김하늘");
        Field(dialogs, "pickup-address").Change("인천");
        Field(dialogs, "dropoff-address").Change("부산");
        Field(dialogs, "pickup-lat").Change("37.45");
        Field(dialogs, "pickup-lon").Change("126.6");
        Field(dialogs, "dropoff-lat").Change("35.1");
        Field(dialogs, "dropoff-lon").Change("129.04");
        Field(dialogs, "promised-from").Change("15:00");
        Field(dialogs, "planned-time").Change("14:30");
        Field(dialogs, "fare-amount").Change("100.5");
        Click(dialogs, "book");

        dialogs.WaitForAssertion(() => Assert.Contains("The window must start before it ends.", Messages(dialogs)));
        Assert.Contains("Enter an amount of 0 or more", Messages(dialogs));
        Assert.Empty(dialogs.FindAll("[data-testid=booked]"));
        Assert.Equal(0L, await Db.ScalarAsync<long>("SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task assigning_shows_the_drivers_truck_and_fills_the_row()
    {
        var booked = await BookAsync("Assign Customer");
        await DriverAsync("Ahn Yuna", "Idle truck", null);
        var (_, driver) = await DriverAsync("Minsu Kim", "Truck 7", "경기 81바 1234");
        var (page, dialogs, _) = RenderPage();

        ClickNow(page, () => Row(page, booked.Id).ParentElement!.QuerySelector("[data-testid=assign]")!);
        dialogs.WaitForAssertion(() => Assert.Equal(2, dialogs.FindAll("[data-testid=driver-option]").Count));
        Field(dialogs, "driver-search").Input("81바");
        dialogs.WaitForAssertion(() => Assert.Single(dialogs.FindAll("[data-testid=driver-option]")));
        ClickNow(dialogs, () => dialogs.Find($"[data-testid=driver-option][data-driver-id='{driver}']"));
        Assert.Contains("Truck: Truck 7 · 경기 81바 1234", dialogs.Find("[data-testid=assign-truck]").TextContent);
        Click(dialogs, "assign-confirm");

        page.WaitForAssertion(() => Assert.Equal("DriverAssigned", Row(page, booked.Id).GetAttribute("data-status")));
        Assert.Equal("Minsu Kim", Row(page, booked.Id).ParentElement!.QuerySelector("[data-testid=delivery-driver]")!.TextContent.Trim());
    }

    [Fact]
    public async Task assigning_a_driver_who_was_removed_meanwhile_says_so()
    {
        var booked = await BookAsync("Assign Customer");
        var (_, driver) = await DriverAsync("Gone Driver", "Truck 9", null);
        var (page, dialogs, _) = RenderPage();
        ClickNow(page, () => Row(page, booked.Id).ParentElement!.QuerySelector("[data-testid=assign]")!);
        dialogs.WaitForElement($"[data-testid=driver-option][data-driver-id='{driver}']");
        ClickNow(dialogs, () => dialogs.Find($"[data-testid=driver-option][data-driver-id='{driver}']"));

        await Db.ExecuteAsync("DELETE FROM drivers WHERE id = $1", driver);
        Click(dialogs, "assign-confirm");

        dialogs.WaitForAssertion(() => Assert.Equal("That driver no longer exists. Choose another.", dialogs.Find("[data-testid=assign-error]").TextContent.Trim()));
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=driver-option]")));
        Assert.Equal("Booked", await Db.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", booked.Id));
    }

    [Fact]
    public async Task assigning_a_delivery_closed_meanwhile_is_refused()
    {
        var booked = await BookAsync("Assign Customer");
        var (_, driver) = await DriverAsync("Minsu Kim", "Truck 7", null);
        var (page, dialogs, _) = RenderPage();
        ClickNow(page, () => Row(page, booked.Id).ParentElement!.QuerySelector("[data-testid=assign]")!);
        dialogs.WaitForElement($"[data-testid=driver-option][data-driver-id='{driver}']");
        ClickNow(dialogs, () => dialogs.Find($"[data-testid=driver-option][data-driver-id='{driver}']"));

        await CancelInDbAsync(booked.Id, "called off");
        Click(dialogs, "assign-confirm");

        dialogs.WaitForAssertion(() => Assert.Equal("This delivery is closed and can't be assigned.", dialogs.Find("[data-testid=assign-error]").TextContent.Trim()));
        Assert.True(dialogs.Find("[data-testid=assign-confirm]").HasAttribute("disabled"));
        Assert.True(await Db.ScalarAsync<bool>("SELECT driver_id IS NULL FROM deliveries WHERE id = $1", booked.Id));
    }

    [Fact]
    public async Task cancelling_asks_for_a_reason_then_closes_the_delivery()
    {
        var booked = await BookAsync("Cancel Customer");
        var (page, dialogs, _) = RenderPage();
        ClickNow(page, () => Row(page, booked.Id).ParentElement!.QuerySelector("[data-testid=cancel]")!);
        dialogs.WaitForElement("[data-testid=cancel-dialog]");

        Click(dialogs, "cancel-confirm");
        dialogs.WaitForAssertion(() => Assert.Contains("A reason is required", Messages(dialogs)));
        Assert.Equal("Booked", await Db.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", booked.Id));

        Field(dialogs, "cancel-reason").Change("Customer postponed the order");
        Click(dialogs, "cancel-confirm");

        page.WaitForAssertion(() => Assert.Empty(RowIds(page))); // "Open" no longer lists it
        Assert.Equal("Cancelled", await Db.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", booked.Id));
        Assert.Equal("Customer postponed the order", await Db.ScalarAsync<string>(
            "SELECT reason FROM delivery_status_events WHERE delivery_id = $1 AND to_status = 'Cancelled'", booked.Id));
    }

    [Fact]
    public async Task the_links_dialog_revokes_extends_and_reissues_the_customers_link()
    {
        var booked = await BookAsync("Links Customer");
        var (page, dialogs, _) = RenderPage();
        ClickNow(page, () => Row(page, booked.Id).ParentElement!.QuerySelector("[data-testid=manage-links]")!);
        dialogs.WaitForElement("[data-testid=links-dialog]");
        dialogs.WaitForAssertion(() => Assert.Single(dialogs.FindAll("[data-testid=link-row]")));
        Assert.EndsWith("/t/" + booked.TrackingToken, dialogs.Find("[data-testid=tracking-link]").GetAttribute("value"), StringComparison.Ordinal);

        Click(dialogs, "link-extend");
        dialogs.WaitForAssertion(() => Assert.NotEqual("a while after delivery", dialogs.Find("[data-testid=link-expires]").TextContent.Trim()));
        Assert.True(await Db.ScalarAsync<bool>("SELECT expires_at > now() + interval '6 days' FROM tracking_links WHERE delivery_id = $1", booked.Id));

        Click(dialogs, "link-reissue");
        dialogs.WaitForAssertion(() => Assert.Equal(["Active", "Revoked"], dialogs.FindAll("[data-testid=link-row]").Select(r => r.GetAttribute("data-state"))));
        Assert.DoesNotContain(booked.TrackingToken, dialogs.Find("[data-testid=tracking-link]").GetAttribute("value"), StringComparison.Ordinal);

        Click(dialogs, "link-revoke");
        dialogs.WaitForAssertion(() => Assert.Equal(["Revoked", "Revoked"], dialogs.FindAll("[data-testid=link-row]").Select(r => r.GetAttribute("data-state"))));
        Assert.Empty(dialogs.FindAll("[data-testid=tracking-link]"));
        Assert.StartsWith("Dispatcher:", await Db.ScalarAsync<string>(
            "SELECT revoked_by FROM tracking_links WHERE delivery_id = $1 ORDER BY created_at DESC LIMIT 1", booked.Id), StringComparison.Ordinal);
    }
}

/// <summary>The form in Korean: the same rules, in the dispatcher's language.</summary>
public sealed class DeliveriesDialogKoreanTests() : DeliveriesPageContext("ko")
{
    [Fact]
    public void validation_messages_are_korean()
    {
        var (page, dialogs, _) = RenderPage();
        ClickNow(page, () => page.Find("[data-testid=new-delivery]"));
        dialogs.WaitForElement("[data-testid=new-delivery-form]");

        Field(dialogs, "customer-phone").Change("010-1234-5678");
        ClickNow(dialogs, () => dialogs.Find("[data-testid=book]"));

        dialogs.WaitForAssertion(() =>
        {
            var text = dialogs.Markup;
            Assert.Contains("필수 항목이며 200자까지 입력할 수 있습니다", text);
            Assert.Contains("국제 형식으로 입력하세요. 예: +821012345678", text);
        });
        Assert.Contains("배송 등록", dialogs.Find("[data-testid=book]").TextContent);
    }
}
