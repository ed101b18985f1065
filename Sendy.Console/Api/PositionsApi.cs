using System.Text.Json;
using Microsoft.Extensions.Options;
using Sendy.Engine.Ingest;
using Sendy.Engine.Streams;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Api;

/// <summary>
/// <c>POST /api/v1/positions</c>: a batch of fixes for the truck of the bearer driver token.
/// 202 only after the stream acknowledged every fix; 400/401/413/415 with problem details; 503 +
/// Retry-After when the stream is unreachable.
/// </summary>
public static class PositionsApi
{
    public static RouteGroupBuilder MapPositionsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/positions", PostAsync)
            .WithName("PostPositions")
            .WithTags("Driver")
            .WithDriverTokenAuth()
            .WithSummary("Report a batch of fixes for the driver's truck")
            .Accepts<FixBatchDto>("application/json")
            .Produces<IngestResult>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    private static async Task<IResult> PostAsync(HttpContext http, DriverTokenCache drivers, PositionIngestor ingestor,
        IOptions<IngestOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var token = BearerToken.From(http.Request);
        var driver = token is null ? null : await drivers.FindAsync(token, cancellationToken);
        if (driver is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: 401, title: "A valid driver token is required",
                detail: "Send the driver token as 'Authorization: Bearer <token>'.");
        }
        if (!IsJson(http.Request.ContentType))
            return Results.Problem(statusCode: 415, title: "Unsupported content type", detail: "Send application/json.");

        var body = await RequestBody.ReadLimitedAsync(http.Request, limits.MaxBodyBytes, cancellationToken);
        if (body is null)
            return TooLarge(limits);

        IReadOnlyList<FixDto?>? fixes;
        try
        {
            fixes = ParseFixes(body);
        }
        catch (MissingUtcOffsetException ex)
        {
            // Which instant an offset-less time means depends on the server's zone: refused, as the
            // schema says, rather than read in this node's zone.
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { [JsonPath(ex.Path)] = [MissingUtcOffsetException.Requirement] },
                title: "Some fixes are invalid");
        }
        catch (JsonException ex)
        {
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { [JsonPath(ex.Path)] = ["is not valid JSON of the expected type"] },
                title: "Malformed request body");
        }

        if (fixes is { Count: var count } && count > limits.MaxFixesPerBatch)
            return TooLarge(limits);

        var errors = FixValidator.Validate(fixes, driver.TruckId, time.GetUtcNow(), limits);
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, title: "Some fixes are invalid");

        try
        {
            var result = await ingestor.IngestAsync(driver.TruckId, fixes!, cancellationToken);
            return Results.Json(result, statusCode: StatusCodes.Status202Accepted);
        }
        catch (StreamException ex) when (ex is not StreamValidationException)
        {
            // Unreachable, throttled past the retry budget, or the stream itself is gone: the
            // client keeps its fixes and retries; nothing was accepted.
            http.Response.Headers.RetryAfter = ((int)limits.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: 503, title: "Position stream unavailable",
                detail: "Nothing was accepted; keep the fixes and retry after the given delay.");
        }
    }

    private static IResult TooLarge(IngestOptions limits) =>
        Results.Problem(statusCode: 413, title: "Request too large",
            detail: $"A request may carry at most {limits.MaxBodyBytes} bytes and {limits.MaxFixesPerBatch} fixes; split the batch.");

    /// <summary>Accepts <c>{"fixes":[…]}</c> or a bare array of fixes.</summary>
    private static IReadOnlyList<FixDto?>? ParseFixes(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read()) throw new JsonException("empty body", "$", 0, 0);
        return reader.TokenType == JsonTokenType.StartArray
            ? JsonSerializer.Deserialize(body, IngestJson.Default.IReadOnlyListFixDto)
            : JsonSerializer.Deserialize(body, IngestJson.Default.FixBatchDto)?.Fixes;
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>The field as the validator names it: "fixes[0].recordedAt" for a wrapped batch and a bare array alike.</summary>
    private static string JsonPath(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body"
        : path.StartsWith("$[", StringComparison.Ordinal) ? "fixes" + path[1..]
        : path.TrimStart('$', '.');
}
