using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Sendy.Console.Api;
using Sendy.Console.Map;
using Sendy.Console.Operations;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>
/// "New delivery": shipper and booking reference, customer (language and channels default to the
/// shipper's), pickup and drop-off (typed or clicked on the map), promised window, fare.
/// Fields use the API's booking rules (<see cref="BookingValidation"/>), worded for the dispatcher.
/// Once booked, the dialog shows the customer's tracking link.
/// </summary>
public sealed partial class DeliveriesNewDialog
{
    /// <summary>What the dialog closes with: the booked delivery, and whether to assign a driver next.</summary>
    public sealed record Outcome(Guid Id, bool AssignNext);

    private enum PickTarget
    {
        Pickup,
        Dropoff,
    }

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly Draft _draft = new();
    private MudForm? _form;
    private PickTarget _target = PickTarget.Pickup;
    private (Guid Id, string Link)? _booked;
    private bool _booking;
    private bool _failed;
    private DeliveriesTimes _times = null!;
    private IReadOnlyList<Sendy.Engine.Shippers.ShipperView> _shippers = [];

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = null!;

    [Inject] private DeliveryBookingService Bookings { get; set; } = null!;

    [Inject] private Sendy.Engine.Shippers.ShipperRegistry Shippers { get; set; } = null!;

    [Inject] private TrackingLinks Links { get; set; } = null!;

    [Inject] private OperationsClock Clock { get; set; } = null!;

    [Inject] private AuthenticationStateProvider Auth { get; set; } = null!;

    [Inject] private ILogger<DeliveriesNewDialog> Logger { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        _times = new DeliveriesTimes(Clock);
        _shippers = await Shippers.ListAsync(Aborted);
        OnShipperChanged();
    }

    /// <summary>A shipper's defaults become the form's: the customer's language and channels (the dispatcher may still change them).</summary>
    private void OnShipperChanged()
    {
        if (_shippers.FirstOrDefault(s => s.Id == _draft.ShipperId) is not { } shipper) return;
        _draft.Locale = shipper.Locale;
        _draft.NotifyBy = [.. shipper.NotifyBy];
    }

    private string? FareMessage() =>
        BookingValidation.Fare(_draft.FareAmount, _draft.FareAmount is null ? null : Blank(_draft.FareCurrency)?.ToUpperInvariant()).FirstOrDefault() is { } e
            ? Message(e.Rule) : null;

    private string? Message(BookingRule? rule) => rule is { } r ? L["Invalid_" + r].Value : null;

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static Dictionary<string, object> Test(string id) => new() { ["data-testid"] = id };

    private static MapPoint? Point(double? lat, double? lon) =>
        BookingValidation.Latitude(lat) is null && BookingValidation.Longitude(lon) is null ? new MapPoint(lat!.Value, lon!.Value) : null;

    private async Task OnPickAsync(MapPoint point)
    {
        if (_target == PickTarget.Pickup)
        {
            (_draft.PickupLat, _draft.PickupLon) = (point.Latitude, point.Longitude);
            // The usual order: pickup first, then the drop-off.
            if (Point(_draft.DropoffLat, _draft.DropoffLon) is null) _target = PickTarget.Dropoff;
        }
        else
        {
            (_draft.DropoffLat, _draft.DropoffLon) = (point.Latitude, point.Longitude);
        }
        // Errors already shown for the coordinates go away once the map filled them in.
        if (_form is { Errors.Length: > 0 }) await _form.ValidateAsync();
    }

    private async Task BookAsync()
    {
        if (_form is null || _booking) return;
        _failed = false;
        await _form.ValidateAsync();
        var pickup = new PlaceInput(_draft.PickupAddress, _draft.PickupLat, _draft.PickupLon);
        var dropoff = new PlaceInput(_draft.DropoffAddress, _draft.DropoffLat, _draft.DropoffLon);
        // The shared rules decide, as for the API; the form's own checks only show the messages.
        if (!_form.IsValid || BookingValidation.Validate(_draft.Name, Blank(_draft.Email), Blank(_draft.Phone), _draft.Locale, pickup, dropoff).Count > 0)
            return;
        if (_draft.PlannedDate is not null && _draft.PlannedTime is null) return;
        if (BookingValidation.Window(PromisedFrom(), PlannedArrival()) is not null || FareMessage() is not null
            || BookingValidation.ExternalReference(Blank(_draft.ExternalReference)) is not null) return;

        _booking = true;
        try
        {
            var user = (await Auth.GetAuthenticationStateAsync()).User;
            var booking = new NewDelivery(_draft.Name!.Trim(), Blank(_draft.Email), Blank(_draft.Phone), _draft.Locale,
                BookingValidation.ToGeoAddress(pickup), BookingValidation.ToGeoAddress(dropoff), PlannedArrival())
            {
                ShipperId = _draft.ShipperId, PromisedFrom = PromisedFrom(), ExternalReference = Blank(_draft.ExternalReference),
                NotifyBy = [.. _draft.NotifyBy],
                Fare = _draft.FareAmount is { } amount ? new Money(amount, Blank(_draft.FareCurrency)!.ToUpperInvariant()) : null,
            };
            var booked = await Bookings.BookAsync(booking, user.Identity?.Name, Aborted);
            // The link from the token just issued: the stored copy is encrypted, this one is at hand.
            _booked = (booked.Id, new Uri(Links.BaseUrl, "t/" + booked.TrackingToken).ToString());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.BookFailed(Logger, ex);
            _failed = true;
        }
        finally
        {
            _booking = false;
        }
    }

    /// <summary>The window's start, on the same day as its end (today when no date is given).</summary>
    private DateTimeOffset? PromisedFrom() => _draft.FromTime is { } time ? _times.ToInstant(_draft.PlannedDate, time) : null;

    /// <summary>Today when only a time is given.</summary>
    private DateTimeOffset? PlannedArrival() => _draft.PlannedTime is { } time
        ? _times.ToInstant(_draft.PlannedDate, time)
        : null;

    private void Close((Guid Id, string Link) booked, bool assignNext) => Dialog.Close(DialogResult.Ok(new Outcome(booked.Id, assignNext)));

    private sealed class Draft
    {
        public string? Name { get; set; }
        public string? Email { get; set; }
        public string? Phone { get; set; }
        public string Locale { get; set; } = "ko";
        public string? PickupAddress { get; set; }
        public double? PickupLat { get; set; }
        public double? PickupLon { get; set; }
        public string? DropoffAddress { get; set; }
        public double? DropoffLat { get; set; }
        public double? DropoffLon { get; set; }
        public DateTime? PlannedDate { get; set; }
        public TimeSpan? FromTime { get; set; }
        public TimeSpan? PlannedTime { get; set; }
        public Guid ShipperId { get; set; } = Sendy.Engine.Storage.Shipper.DirectId;
        public string? ExternalReference { get; set; }
        public List<string> NotifyBy { get; set; } = [.. RecipientChannel.All];
        public decimal? FareAmount { get; set; }
        public string? FareCurrency { get; set; } = "KRW";
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Booking a delivery from the dispatcher's form failed")]
        public static partial void BookFailed(ILogger logger, Exception exception);
    }
}
