using System.Globalization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Console.Api;
using Sendy.Console.Resources;

namespace Sendy.Console.Tests.Api;

/// <summary>The booking rules the API and the dispatcher's form share.</summary>
public sealed class BookingValidationTests
{
    [Fact]
    public void every_field_of_an_empty_booking_is_named_with_its_rule()
    {
        var errors = BookingValidation.Validate(null, null, null, null, null, new PlaceInput("  ", 91, null));

        Assert.Equal(
            ["customerName:NameRequired", "pickup.address:AddressRequired", "pickup.lat:LatitudeRange", "pickup.lon:LongitudeRange",
             "dropoff.address:AddressRequired", "dropoff.lat:LatitudeRange", "dropoff.lon:LongitudeRange"],
            errors.Select(e => $"{e.Field}:{e.Rule}"));
    }

    [Theory]
    [InlineData("not-an-email", null, null, "customerEmail:EmailInvalid")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.kr", null, null, "customerEmail:EmailInvalid")]
    [InlineData(null, "010-1234-5678", null, "customerPhone:PhoneInvalid")]
    [InlineData(null, null, "ja", "locale:LocaleInvalid")]
    public void optional_fields_are_checked_when_given(string? email, string? phone, string? locale, string expected)
    {
        var place = new PlaceInput("Incheon port", 37.4563, 126.6052);

        var errors = BookingValidation.Validate("Kim", email, phone, locale, place, place);

        Assert.Equal([expected], errors.Select(e => $"{e.Field}:{e.Rule}"));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ko")]
    public void every_rule_has_a_message_for_the_form_in_both_languages(string culture)
    {
        var localizer = new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance)
            .Create(typeof(DeliveriesText));
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo(culture);
        try
        {
            foreach (var rule in Enum.GetValues<BookingRule>())
            {
                Assert.False(localizer["Invalid_" + rule].ResourceNotFound, $"no form message for {rule}");
                Assert.NotEmpty(BookingValidation.English(rule));
            }
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
