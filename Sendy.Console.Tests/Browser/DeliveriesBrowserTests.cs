using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Browser;

/// <summary>
/// A dispatcher on the real stack (PostgreSQL, kinesalite, consumer), signed in for real: books a
/// delivery, assigns a driver, copies the customer's link, and the link shows the customer the truck.
/// </summary>
public sealed class DeliveriesBrowserTests(LiveStackFixture app) : IClassFixture<LiveStackFixture>
{
    private const string Password = "dispatcher-pass-1";

    [Fact]
    public async Task a_dispatcher_books_assigns_and_copies_the_link_that_shows_the_customer_the_truck()
    {
        var truckId = "T-" + Guid.NewGuid().ToString("N")[..6];
        await app.Fleet.EnsureTruckAsync(truckId, "Seoul 118", "서울 88사 4521", default);
        var driver = await app.Fleet.CreateDriverAsync("Han Jiho", truckId, default);
        await PostFixAsync(driver.Token, 37.5013, 127.0396);
        await using var context = await SignedInContextAsync("en-US", o => o.Permissions = ["clipboard-read", "clipboard-write"]);
        var page = await context.NewPageAsync();
        await page.GotoAsync("dispatch/deliveries");
        await page.WaitForSelectorAsync(".deliveries-page[data-interactive=true]");

        // Book: fields typed, both points clicked on the map (pickup first, then drop-off).
        await page.Locator("[data-testid=new-delivery]").ClickAsync();
        var dialog = page.Locator("[data-testid=new-delivery-form]");
        await Field(dialog, "customer-name").FillAsync("Yoon Seoyeon");
        await Field(dialog, "customer-phone").FillAsync("+821098765432");
        await Field(dialog, "pickup-address").FillAsync("Gangnam-daero 390, Seoul");
        await Field(dialog, "dropoff-address").FillAsync("Pangyo-ro 235, Seongnam");
        var map = page.Locator("[data-testid=location-picker]");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-map-ready", "true");
        await map.ClickAsync(new() { Position = new() { X = 150, Y = 120 } });
        await Assertions.Expect(map).ToHaveAttributeAsync("data-pickup", new System.Text.RegularExpressions.Regex(@"^\d+\.\d+,\d+\.\d+$"));
        await map.ClickAsync(new() { Position = new() { X = 320, Y = 220 } });
        await Assertions.Expect(map).ToHaveAttributeAsync("data-dropoff", new System.Text.RegularExpressions.Regex(@"^\d+\.\d+,\d+\.\d+$"));
        Assert.NotEqual("", await Field(dialog, "pickup-lat").InputValueAsync());
        Assert.NotEqual("", await Field(dialog, "dropoff-lon").InputValueAsync());
        await page.Locator("[data-testid=book]").ClickAsync();
        var link = page.Locator("[data-testid=booked] input");
        await Assertions.Expect(link).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^http://sendy.test/t/"));
        var bookedLink = await link.InputValueAsync();

        // Assign straight from the booking: the driver brings the truck.
        await page.Locator("[data-testid=booked-assign]").ClickAsync();
        await page.Locator("[data-testid=driver-search] input, input[data-testid=driver-search]").FillAsync("Jiho");
        await page.Locator($"[data-testid=driver-option][data-driver-id='{driver.Entity.Id}']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=assign-truck]")).ToContainTextAsync("Seoul 118");
        await page.Locator("[data-testid=assign-confirm]").ClickAsync();
        var row = page.Locator("tr", new() { Has = page.Locator("[data-testid=delivery-row]", new() { HasText = "Yoon Seoyeon" }) });
        await Assertions.Expect(row.Locator("[data-testid=delivery-driver]")).ToHaveTextAsync("Han Jiho");
        await Assertions.Expect(row.Locator("[data-testid=delivery-truck]")).ToContainTextAsync("서울 88사 4521");

        // Copy the link from the row and read the clipboard back.
        await row.Locator("[data-testid=copy-link]").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "Tracking link copied" })).ToBeVisibleAsync();
        var copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.Equal(bookedLink, copied);

        // The customer opens it (the public base URL is sendy.test; the path is what matters) and sees the truck.
        await using var customerContext = await app.Browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString() });
        var customer = await customerContext.NewPageAsync();
        await customer.GotoAsync(new Uri(copied).PathAndQuery.TrimStart('/'));
        await Assertions.Expect(customer.Locator("[data-testid=truck-map]")).ToHaveAttributeAsync("data-truck-lat", "37.5013", new() { Timeout = 30_000 });
        await Assertions.Expect(customer.Locator("body")).ToContainTextAsync("Seoul 118");
    }

    [Theory]
    [InlineData("en-US", "dispatch-deliveries.png")]
    [InlineData("ko-KR", "dispatch-deliveries-ko.png")]
    public async Task screenshots_of_the_list(string locale, string file)
    {
        await SeedBoardAsync();
        await using var context = await SignedInContextAsync(locale);
        var page = await context.NewPageAsync();
        await page.GotoAsync("dispatch/deliveries");
        await page.WaitForSelectorAsync(".deliveries-page[data-interactive=true]");
        await Assertions.Expect(page.Locator("[data-testid=delivery-row]").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot(file) });
    }

    [Fact]
    public async Task screenshot_of_the_new_delivery_dialog()
    {
        await using var context = await SignedInContextAsync("en-US");
        var page = await context.NewPageAsync();
        await page.GotoAsync("dispatch/deliveries");
        await page.WaitForSelectorAsync(".deliveries-page[data-interactive=true]");
        await page.Locator("[data-testid=new-delivery]").ClickAsync();
        var dialog = page.Locator("[data-testid=new-delivery-form]");
        await Field(dialog, "customer-name").FillAsync("Kang Minseo");
        await Field(dialog, "customer-email").FillAsync("minseo@example.com");
        await Field(dialog, "customer-phone").FillAsync("+821023456789");
        await Field(dialog, "pickup-address").FillAsync("Incheon Port, 366 Seohae-daero");
        await Field(dialog, "pickup-lat").FillAsync("37.4563");
        await Field(dialog, "pickup-lon").FillAsync("126.6052");
        await Field(dialog, "dropoff-address").FillAsync("Busan New Port, 295 Sinhang-ro");
        await Field(dialog, "dropoff-lat").FillAsync("35.079");
        await Field(dialog, "dropoff-lon").FillAsync("128.82");
        await Field(dialog, "dropoff-lon").BlurAsync();
        var map = page.Locator("[data-testid=location-picker]");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-dropoff", "35.079,128.82");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-pickup", "37.4563,126.6052");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("dispatch-new-delivery.png") });
    }

    private static ILocator Field(ILocator scope, string id) => scope.Locator($"input[data-testid={id}], [data-testid={id}] input");

    /// <summary>A fresh dispatcher account, signed in through the login form.</summary>
    private async Task<IBrowserContext> SignedInContextAsync(string locale, Action<BrowserNewContextOptions>? configure = null)
    {
        var email = $"d-{Guid.NewGuid():N}"[..14] + "@test.local";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = new StaffUser { UserName = email, Email = email, DisplayName = "Dispatcher" };
            Assert.True((await users.CreateAsync(user, Password)).Succeeded);
            await users.AddToRoleAsync(user, StaffRoles.Dispatcher);
        }

        var options = new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            Locale = locale,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = locale },
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        };
        configure?.Invoke(options);
        var context = await app.Browser.NewContextAsync(options);
        var page = await context.NewPageAsync();
        await page.GotoAsync("account/login?ReturnUrl=%2Fdispatch%2Fdeliveries");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await page.WaitForURLAsync("**/dispatch/deliveries");
        await page.CloseAsync();
        return context;
    }

    /// <summary>A morning's board: deliveries at every stage, with Korean customers and addresses.</summary>
    private async Task SeedBoardAsync()
    {
        // Tests of a class run one at a time; the fixture's database outlives each of them.
        if (await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE customer_name = '김하늘'") > 0) return;
        var bookings = app.Services.GetRequiredService<DeliveryBookingService>();
        var statuses = app.Services.GetRequiredService<DeliveryStatusService>();
        var today = DateTimeOffset.UtcNow;
        var board = new (string Customer, string Phone, string From, double FromLat, double FromLon, string To, double ToLat, double ToLon, string? Driver, string? Truck, string? Plate, DeliveryStatus Status, int Hours)[]
        {
            ("김하늘", "+821055512345", "인천광역시 중구 서해대로 366", 37.4563, 126.6052, "부산광역시 강서구 신항로 295", 35.0790, 128.8200, "박민수", "Incheon 27", "인천 82사 1027", DeliveryStatus.InTransit, 3),
            ("Hanbit Foods", "+821023456789", "경기도 평택시 포승읍 평택항로 98", 36.9676, 126.8317, "서울특별시 송파구 올림픽로 300", 37.5126, 127.1025, "이서준", "Pyeongtaek 04", "경기 81바 2204", DeliveryStatus.PickedUp, 2),
            ("정유나", "+821077788899", "대전광역시 유성구 대학로 99", 36.3622, 127.3562, "세종특별자치시 한누리대로 2130", 36.4800, 127.2890, "최현우", "Daejeon 12", "대전 90아 1212", DeliveryStatus.EnRouteToPickup, 4),
            ("Seoul Bakery Co.", "+821044455566", "서울특별시 마포구 월드컵북로 396", 37.5797, 126.8895, "경기도 성남시 분당구 판교역로 235", 37.4020, 127.1086, "강지민", "Seoul 31", "서울 88사 3131", DeliveryStatus.DriverAssigned, 5),
            ("오세훈", "+821011122233", "광주광역시 서구 상무중앙로 7", 35.1525, 126.8515, "전라남도 목포시 해안로 249", 34.7854, 126.3820, null, null, null, DeliveryStatus.Booked, 6),
            ("Daehan Logistics", "+821099900011", "울산광역시 남구 삼산로 277", 35.5396, 129.3380, "경상북도 포항시 남구 대송로 40", 35.9926, 129.3860, null, null, null, DeliveryStatus.Booked, 7),
        };
        foreach (var d in board)
        {
            var booked = await bookings.BookAsync(new NewDelivery(d.Customer, null, d.Phone, "ko", new GeoAddress(d.From, d.FromLat, d.FromLon),
                new GeoAddress(d.To, d.ToLat, d.ToLon), today.AddHours(d.Hours)), "dispatcher", default);
            if (d.Driver is null) continue;
            var truckId = "T-" + Guid.NewGuid().ToString("N")[..6];
            await app.Fleet.EnsureTruckAsync(truckId, d.Truck!, d.Plate, default);
            var driver = await app.Fleet.CreateDriverAsync(d.Driver, truckId, default);
            await bookings.AssignAsync(booked.Id, driver.Entity.Id, "dispatcher", default);
            foreach (var next in new[] { DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp, DeliveryStatus.InTransit }.Where(s => s <= d.Status))
                await statuses.ChangeAsync(new StatusChangeRequest(booked.Id, next, StatusActor.Driver(driver.Entity.Id), $"seed-{next}"), default);
        }
    }

    private async Task PostFixAsync(string driverToken, double lat, double lon)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var body = string.Create(CultureInfo.InvariantCulture,
            $$"""{"fixes":[{"lat":{{lat}},"lon":{{lon}},"recordedAt":"{{DateTimeOffset.UtcNow:O}}","speed":12,"heading":90,"accuracy":5}]}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/positions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", driverToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
