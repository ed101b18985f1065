using System.Globalization;
using System.Resources;
using Sendy.Console.Components.Shared;
using Sendy.Console.Resources;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Tests.Shared;

/// <summary>A status added to the enum must get its words and colour here before any page shows it.</summary>
public sealed class DeliveryStatusDisplayTests
{
    public static TheoryData<DeliveryStatus> Statuses => [.. Enum.GetValues<DeliveryStatus>()];

    [Theory]
    [MemberData(nameof(Statuses))]
    public void every_status_has_an_english_and_a_korean_name(DeliveryStatus status)
    {
        var english = Name(status, CultureInfo.InvariantCulture);
        var korean = Name(status, new CultureInfo("ko"));

        Assert.False(string.IsNullOrWhiteSpace(english));
        Assert.False(string.IsNullOrWhiteSpace(korean));
        Assert.NotEqual(english, korean);
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public void every_status_has_a_colour(DeliveryStatus status) =>
        Assert.True(Enum.IsDefined(DeliveryStatusDisplay.ColorOf(status)));

    [Fact]
    public void the_plain_chip_class_is_mudblazors_class_for_the_same_colour()
    {
        Assert.Equal("mud-chip-color-primary", DeliveryStatusDisplay.ChipClass(DeliveryStatus.InTransit));
        Assert.Equal("mud-chip-color-success", DeliveryStatusDisplay.ChipClass(DeliveryStatus.Delivered));
        Assert.Equal("mud-chip-color-error", DeliveryStatusDisplay.ChipClass(DeliveryStatus.Failed));
        Assert.Equal("", DeliveryStatusDisplay.ChipClass(DeliveryStatus.Booked));
    }

    [Fact]
    public void a_value_the_enum_does_not_name_has_no_colour() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DeliveryStatusDisplay.ColorOf((DeliveryStatus)99));

    // The culture's own resource set, without falling back to English.
    private static string? Name(DeliveryStatus status, CultureInfo culture) =>
        new ResourceManager(typeof(StatusText)).GetResourceSet(culture, createIfNotExists: true, tryParents: false)?.GetString(status.ToString());
}
