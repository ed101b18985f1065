using Sendy.Engine.Storage;
using System.Net.Mail;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Api;

/// <summary>Reads a JSON body with a size limit; a bad body becomes a problem result.</summary>
internal static class ApiJson
{
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken) where T : class
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, Results.Problem(statusCode: 415, title: "Unsupported content type", detail: "Send application/json."));
        var body = await RequestBody.ReadLimitedAsync(request, maxBytes, cancellationToken);
        if (body is null) return (null, Results.Problem(statusCode: 413, title: "Request too large"));
        try
        {
            var value = JsonSerializer.Deserialize<T>(body, Options);
            return value is null
                ? (null, Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["is required"] }, title: "Malformed request body"))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, Results.ValidationProblem(new Dictionary<string, string[]> { [path] = ["is not valid JSON of the expected type"] },
                title: "Malformed request body"));
        }
    }
}

internal static partial class StatusValidation
{
    public const int MaxText = 500;

    public static Dictionary<string, string[]> Validate(string? status, string? note, string? reason, string? key, out DeliveryStatus parsed)
    {
        var errors = new Dictionary<string, string[]>();
        parsed = default;
        if (string.IsNullOrWhiteSpace(status) || !Enum.TryParse(status, ignoreCase: false, out parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
            errors["status"] = [$"must be one of {string.Join(", ", Enum.GetNames<DeliveryStatus>())}"];
        if (string.IsNullOrWhiteSpace(key) || !KeyPattern().IsMatch(key))
            errors["idempotencyKey"] = ["is required: 8 to 100 characters of letters, digits, '-', '_', ':' or '.'"];
        if (note is { Length: > MaxText } || note is not null && !StoredText.IsClean(note, multiline: true))
            errors["note"] = [$"must be at most {MaxText} characters, no control characters but line breaks and tabs"];
        if (reason is { Length: > MaxText } || reason is not null && !StoredText.IsClean(reason, multiline: true))
            errors["reason"] = [$"must be at most {MaxText} characters, no control characters but line breaks and tabs"];
        if (!errors.ContainsKey("status") && DeliveryStateMachine.RequiresReason(parsed) && string.IsNullOrWhiteSpace(reason))
            errors["reason"] = [$"is required for {parsed}"];
        return errors;
    }

    /// <summary>The status log's actor column: a signed-in dispatcher's name longer than this cannot be recorded.</summary>
    public const int MaxActor = 100;

    /// <summary>
    /// Null when the signed-in dispatcher's name fits the status log; otherwise the 400 to answer
    /// (the change would be recorded under a name that is not theirs if it were cut).
    /// </summary>
    public static IResult? ActorProblem(HttpContext http) => http.User.Identity?.Name is { Length: > MaxActor }
        ? Results.ValidationProblem(new Dictionary<string, string[]> { ["actor"] = [$"the signed-in account's name is longer than {MaxActor} characters, which the status log cannot record"] },
            title: "The change cannot be recorded")
        : null;

    [GeneratedRegex("^[A-Za-z0-9_:.-]{8,100}$")]
    private static partial Regex KeyPattern();
}

/// <summary>The rule a booking field broke; the API says it in English, the console page in the dispatcher's language.</summary>
public enum BookingRule
{
    NameRequired,
    EmailInvalid,
    PhoneInvalid,
    LocaleInvalid,
    AddressRequired,
    LatitudeRange,
    LongitudeRange,
    WindowOrder,
    WindowNeedsEnd,
    FareAmount,
    FareCurrency,
    FareIncomplete,
    ExternalReferenceInvalid,
    ChannelUnknown,
    UnknownShipper,
}

public sealed record BookingError(string Field, BookingRule Rule);

/// <summary>A pickup or drop-off as typed: address and WGS 84 coordinates.</summary>
public sealed record PlaceInput(string? Address, double? Lat, double? Lon);

/// <summary>
/// Booking rules shared by <c>POST /api/v1/deliveries</c> and the dispatcher's "New delivery" form,
/// so both refuse the same input. Fields are named as in the API's JSON ("pickup.lat").
/// </summary>
public static class BookingValidation
{
    public const int MaxName = 200;
    public const int MaxAddress = 300;

    public static BookingRule? CustomerName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > MaxName || !StoredText.IsClean(name) ? BookingRule.NameRequired : null;

    /// <summary>The longest address SMTP carries (RFC 5321), and the column's length.</summary>
    public const int MaxEmail = 254;

    /// <summary>Optional; null means none.</summary>
    public static BookingRule? CustomerEmail(string? email) =>
        email is not null && (email.Length > MaxEmail || !MailAddress.TryCreate(email, out _)) ? BookingRule.EmailInvalid : null;

    /// <summary>Optional; null means none.</summary>
    public static BookingRule? CustomerPhone(string? phone) => phone is not null && !PhoneNumbers.E164().IsMatch(phone) ? BookingRule.PhoneInvalid : null;

    public static BookingRule? Locale(string? locale) => locale is null or "ko" or "en" ? null : BookingRule.LocaleInvalid;

    public static BookingRule? Address(string? address) =>
        string.IsNullOrWhiteSpace(address) || address.Length > MaxAddress || !StoredText.IsClean(address) ? BookingRule.AddressRequired : null;

    public static BookingRule? Latitude(double? lat) => lat is >= -90 and <= 90 ? null : BookingRule.LatitudeRange;

    public static BookingRule? Longitude(double? lon) => lon is >= -180 and <= 180 ? null : BookingRule.LongitudeRange;

    public const int MaxExternalReference = 100;

    /// <summary>A window's start needs its end, and comes before it.</summary>
    public static BookingRule? Window(DateTimeOffset? from, DateTimeOffset? to) =>
        from is null ? null : to is null ? BookingRule.WindowNeedsEnd : from >= to ? BookingRule.WindowOrder : null;

    /// <summary>Printable, 1 to 100 characters; null means none.</summary>
    public static BookingRule? ExternalReference(string? reference) =>
        reference is not null && (reference.Length is 0 or > MaxExternalReference || string.IsNullOrWhiteSpace(reference) || !StoredText.IsClean(reference))
            ? BookingRule.ExternalReferenceInvalid : null;

    /// <summary>Both or neither; the amount at least 0 with no more decimals than the currency has (KRW: none, USD: 2).</summary>
    public static IEnumerable<BookingError> Fare(decimal? amount, string? currency)
    {
        if (amount is null && currency is null) yield break;
        if (amount is null || currency is null)
        {
            yield return new BookingError("fare", BookingRule.FareIncomplete);
            yield break;
        }
        if (!Currencies.MinorDigits.TryGetValue(currency, out var digits)) yield return new BookingError("fare.currency", BookingRule.FareCurrency);
        else if (amount < 0 || amount > 999_999_999_999m || decimal.Round(amount.Value, digits) != amount)
            yield return new BookingError("fare.amount", BookingRule.FareAmount);
    }

    public static IEnumerable<BookingError> Channels(IReadOnlyList<string>? channels) =>
        (channels ?? []).Where(c => !RecipientChannel.IsKnown(c)).Take(1).Select(_ => new BookingError("notifyBy", BookingRule.ChannelUnknown));

    public static IReadOnlyList<BookingError> Validate(string? name, string? email, string? phone, string? locale, PlaceInput? pickup, PlaceInput? dropoff)
    {
        var errors = new List<BookingError>();
        Add(errors, "customerName", CustomerName(name));
        Add(errors, "customerEmail", CustomerEmail(email));
        Add(errors, "customerPhone", CustomerPhone(phone));
        Add(errors, "locale", Locale(locale));
        foreach (var (field, place) in new[] { ("pickup", pickup), ("dropoff", dropoff) })
        {
            Add(errors, field + ".address", Address(place?.Address));
            Add(errors, field + ".lat", Latitude(place?.Lat));
            Add(errors, field + ".lon", Longitude(place?.Lon));
        }
        return errors;
    }

    /// <summary>The API's wording (a fragment after the field name).</summary>
    public static string English(BookingRule rule) => rule switch
    {
        BookingRule.NameRequired => $"is required, at most {MaxName} characters, no control characters",
        BookingRule.EmailInvalid => $"is not an email address of at most {MaxEmail} characters",
        BookingRule.PhoneInvalid => "must be E.164, e.g. +821012345678",
        BookingRule.LocaleInvalid => "must be ko or en",
        BookingRule.AddressRequired => $"is required, at most {MaxAddress} characters, no control characters",
        BookingRule.LatitudeRange => "is required, -90 to 90",
        BookingRule.LongitudeRange => "is required, -180 to 180",
        BookingRule.WindowOrder => "must be before promisedTo",
        BookingRule.WindowNeedsEnd => "needs promisedTo (the window's end)",
        BookingRule.FareAmount => "must be 0 or more, with no more decimals than the currency has",
        BookingRule.FareCurrency => "must be an ISO 4217 currency code, e.g. KRW",
        BookingRule.FareIncomplete => "needs both amount and currency",
        BookingRule.ExternalReferenceInvalid => $"must be 1 to {MaxExternalReference} printable characters",
        BookingRule.ChannelUnknown => "may only hold email and sms",
        BookingRule.UnknownShipper => "is not a known shipper",
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    public static GeoAddress ToGeoAddress(PlaceInput place) => new(place.Address!.Trim(), place.Lat!.Value, place.Lon!.Value);

    internal static void Add(List<BookingError> errors, string field, BookingRule? rule)
    {
        if (rule is { } r) errors.Add(new BookingError(field, r));
    }
}

/// <summary>ISO 4217 codes this runtime knows, with their minor digits (from the cultures that use them).</summary>
internal static class Currencies
{
    public static readonly IReadOnlyDictionary<string, int> MinorDigits = Build();

    private static Dictionary<string, int> Build()
    {
        var codes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var culture in System.Globalization.CultureInfo.GetCultures(System.Globalization.CultureTypes.SpecificCultures))
        {
            try
            {
                var code = new System.Globalization.RegionInfo(culture.Name).ISOCurrencySymbol;
                if (code.Length == 3 && code.All(char.IsAsciiLetterUpper)) codes.TryAdd(code, culture.NumberFormat.CurrencyDecimalDigits);
            }
            catch (ArgumentException)
            {
                // a culture without a region
            }
        }
        return codes;
    }
}
