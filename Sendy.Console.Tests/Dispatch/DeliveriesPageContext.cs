using System.Globalization;
using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using Sendy.Console.Components.Pages.Dispatch;
using Sendy.Console.Map;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Consumers;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Dispatch;

/// <summary>
/// A bunit context for the deliveries page on the real engine services and a database of its own
/// (one per test): booking, assignment and cancellation are the engine's, not fakes.
/// </summary>
public abstract class DeliveriesPageContext : SendyBunitContext
{
    public const string BaseUrl = "http://sendy.test";

    private readonly string _culture;

    /// <summary>The clock starts now: the page's "today" and the engine's timestamps agree.</summary>
    protected DeliveriesPageContext(string culture = "en")
        : this(culture, new FakeTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    private DeliveriesPageContext(string culture, FakeTimeProvider time)
        : base(culture, time)
    {
        _culture = culture;
        Time = time;
        Clipboard = LooseModule(DeliveriesClipboard.ModulePath);
        Picker = LooseModule(LocationPicker.ModulePath);
    }

    protected TestDatabase Db { get; } = new();

    protected FakeTimeProvider Time { get; }

    protected BunitJSModuleInterop Clipboard { get; }

    protected BunitJSModuleInterop Picker { get; }

    protected DeliveryBookingService Bookings => Services.GetRequiredService<DeliveryBookingService>();

    protected DeliveryStatusService Statuses => Services.GetRequiredService<DeliveryStatusService>();

    protected FleetRegistry Fleet => Services.GetRequiredService<FleetRegistry>();

    protected override async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Sendy"] = Db.ConnectionString,
            ["Sendy:PublicBaseUrl"] = BaseUrl,
        }).Build();
        Services.AddSingleton<IConfiguration>(configuration);
        Services.AddDbContextFactory<SendyDbContext>(o => SendyDatabase.Configure(o, Db.ConnectionString));
        Services.AddOptions<ConsumerOptions>();
        Services.AddSingleton(Db.DataSource);
        Services.AddSendyDeliveries(configuration);
        Services.AddSingleton<FleetRegistry>();
        Services.AddSingleton(Options.Create(new MapOptions()));
        AddAuthorization().SetAuthorized("dispatcher@test.local");
    }

    protected override async Task DisposeResourcesAsync() => await Db.DisposeAsync();

    /// <summary>The page with the providers its dialogs, menus and snackbars render into.</summary>
    protected (IRenderedComponent<DeliveriesPage> Page, IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars) RenderPage()
    {
        UseCulture(_culture);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var page = Render<DeliveriesPage>();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find(".deliveries-page").GetAttribute("data-interactive")));
        return (page, dialogs, snackbars);
    }

    protected Task<BookedDelivery> BookAsync(string customer, string? phone = null, DateTimeOffset? planned = null) =>
        Bookings.BookAsync(new NewDelivery(customer, null, phone, "ko", new GeoAddress("인천광역시 중구 서해대로 366", 37.4563, 126.6052),
            new GeoAddress("부산광역시 강서구 신항로 295", 35.0790, 128.8200), planned), "dispatcher", default);

    protected async Task<(string TruckId, Guid DriverId)> DriverAsync(string name, string truckName, string? plate)
    {
        var truckId = "T-" + Guid.NewGuid().ToString("N")[..8];
        await Fleet.EnsureTruckAsync(truckId, truckName, plate, default);
        var driver = await Fleet.CreateDriverAsync(name, truckId, default);
        return (truckId, driver.Entity.Id);
    }

    protected Task<StatusChangeResult> CancelInDbAsync(Guid id, string reason) => Statuses.ChangeAsync(
        new StatusChangeRequest(id, DeliveryStatus.Cancelled, StatusActor.Dispatcher("other"), "test-cancel-" + id.ToString("N")[..8], Reason: reason), default);

    /// <summary>
    /// Finds and clicks in one turn of the renderer. The page renders again on its own after it is
    /// shown (its loads, live updates), and a render between a Find and its Click leaves the click on
    /// a handler that is gone (bUnit's UnknownEventHandlerIdException, seen in CI on 2026-12-06).
    /// </summary>
    protected static void ClickNow<T>(IRenderedComponent<T> cut, Func<IElement> find) where T : Microsoft.AspNetCore.Components.IComponent =>
        cut.InvokeAsync(() => find().Click()).GetAwaiter().GetResult();

    protected static IElement Row(IRenderedComponent<DeliveriesPage> page, Guid id) => page.Find($"[data-testid=delivery-row][data-delivery-id='{id}']");

    protected static List<Guid> RowIds(IRenderedComponent<DeliveriesPage> page) =>
        page.FindAll("[data-testid=delivery-row]").Select(r => Guid.Parse(r.GetAttribute("data-delivery-id")!)).ToList();

    /// <summary>The text input of a MudBlazor field carrying data-testid <paramref name="id"/>.</summary>
    protected static IElement Field<T>(IRenderedComponent<T> host, string id) where T : Microsoft.AspNetCore.Components.IComponent => host.Find($"input[data-testid={id}], [data-testid={id}] input, textarea[data-testid={id}], [data-testid={id}] textarea");
}
