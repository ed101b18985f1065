using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Sendy.Console.Api;
using Sendy.Engine.Ingest;

namespace Sendy.Console.ApiDocs;

/// <summary>The request schemas' required fields and examples (as a booking system would send them), and the booking's header.</summary>
internal static class ApiDocsExamples
{
    private const string Booking = """
        {
          "customerName": "김하늘",
          "customerPhone": "+821012345678",
          "locale": "ko",
          "pickup": { "address": "인천항 제1부두", "lat": 37.45, "lon": 126.6 },
          "dropoff": { "address": "부산항 신선대부두", "lat": 35.1, "lon": 129.04 },
          "promisedFrom": "2026-12-24T09:00:00+09:00",
          "promisedTo": "2026-12-24T12:00:00+09:00",
          "fare": { "amount": 185000, "currency": "KRW" },
          "externalReference": "order-2026-12-0042",
          "notifyBy": ["sms"]
        }
        """;

    private const string Cancellation = """{ "reason": "The customer called off the order.", "idempotencyKey": "cancel-order-2026-12-0042" }""";

    /// <summary>
    /// What a request must carry. The DTOs keep every field nullable so that validation can name
    /// what is missing; the document says which ones the API wants.
    /// </summary>
    private static readonly Dictionary<Type, string[]> Required = new()
    {
        [typeof(DispatcherEndpoints.BookDto)] = ["customerName", "pickup", "dropoff"],
        [typeof(DispatcherEndpoints.PlaceDto)] = ["address", "lat", "lon"],
        [typeof(DispatcherEndpoints.FareDto)] = ["amount", "currency"],
        [typeof(DispatcherEndpoints.AssignDto)] = ["driverId"],
        [typeof(DispatcherEndpoints.CancelDto)] = ["reason", "idempotencyKey"],
        [typeof(DeliveriesApi.StatusChangeDto)] = ["status", "idempotencyKey"],
        [typeof(ShippersApi.ShipperDto)] = ["name"],
        [typeof(FixBatchDto)] = ["fixes"],
        [typeof(FixDto)] = ["lat", "lon", "recordedAt"],
    };

    public static Task AddAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (Required.TryGetValue(type, out var required)) schema.Required = new SortedSet<string>(required, StringComparer.Ordinal);
        if (type == typeof(DispatcherEndpoints.BookDto)) schema.Examples = [JsonNode.Parse(Booking)!];
        else if (type == typeof(DispatcherEndpoints.CancelDto)) schema.Examples = [JsonNode.Parse(Cancellation)!];
        return Task.CompletedTask;
    }

    /// <summary>The booking's optional Idempotency-Key header (read by the handler itself, so not inferred).</summary>
    public static Task IdempotencyKeyHeaderAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = DispatcherEndpoints.IdempotencyHeader,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes a retried booking safe: the same key with the same request answers with the delivery it booked.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKeys.MaxLength },
            Example = JsonValue.Create("order-2026-12-0042-try"),
        });
        return Task.CompletedTask;
    }
}
