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
        if (note is { Length: > MaxText }) errors["note"] = [$"must be at most {MaxText} characters"];
        if (reason is { Length: > MaxText }) errors["reason"] = [$"must be at most {MaxText} characters"];
        if (!errors.ContainsKey("status") && DeliveryStateMachine.RequiresReason(parsed) && string.IsNullOrWhiteSpace(reason))
            errors["reason"] = [$"is required for {parsed}"];
        return errors;
    }

    [GeneratedRegex("^[A-Za-z0-9_:.-]{8,100}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    public static partial Regex E164();
}
