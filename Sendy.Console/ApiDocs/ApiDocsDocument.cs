using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Sendy.Console.Api;
using Sendy.Engine.Ingest;

namespace Sendy.Console.ApiDocs;

/// <summary>What the document holds, what its schemas are called, and its parts that do not come from an endpoint.</summary>
internal static class ApiDocsDocument
{
    /// <summary>
    /// The public API: endpoints under <c>/api/v1</c> that a booking system (scope policy) or a
    /// driver app (<see cref="DriverTokenAuth"/>) may call. Staff-only endpoints (admin exports,
    /// tracker ids) are the pages' business, and the staff pages themselves are not an API.
    /// </summary>
    public static bool Describes(ApiDescription description) =>
        description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true
        && ApiDocsSecurity.SchemeOf(description.ActionDescriptor.EndpointMetadata) is not null;

    /// <summary>Request types keep the API's words, not the C# names of their DTOs.</summary>
    private static readonly Dictionary<Type, string> Names = new()
    {
        [typeof(DispatcherEndpoints.BookDto)] = "BookingRequest",
        [typeof(DispatcherEndpoints.PlaceDto)] = "Place",
        [typeof(DispatcherEndpoints.FareDto)] = "Fare",
        [typeof(DispatcherEndpoints.AssignDto)] = "AssignmentRequest",
        [typeof(DispatcherEndpoints.CancelDto)] = "CancellationRequest",
        [typeof(DeliveriesApi.StatusChangeDto)] = "StatusChangeRequest",
        [typeof(ShippersApi.ShipperDto)] = "ShipperRequest",
        [typeof(ShareLinksApi.ExtendDto)] = "LinkExtensionRequest",
        [typeof(WebhooksApi.EndpointDto)] = "WebhookEndpointRequest",
        [typeof(WebhooksApi.RotateDto)] = "WebhookSecretRotationRequest",
        [typeof(FixBatchDto)] = "FixBatch",
        [typeof(FixDto)] = "Fix",
    };

    public static string? SchemaName(JsonTypeInfo type) =>
        Names.TryGetValue(type.Type, out var name) ? name : OpenApiOptions.CreateDefaultSchemaReferenceId(type);

    public static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Sendy API",
            Version = "v1",
            Description = "Book, read and cancel deliveries from a booking system (API client keys, by scope), "
                + "and report positions and statuses from a driver's device (driver token). Errors are RFC 9457 problem details.",
        };
        // By default the servers come from the request (http://localhost/ under test): the
        // document is the same wherever it is served, and clients take their base URL from
        // where they read it.
        document.Servers = [];
        ApiDocsSecurity.AddSchemes(document);
        // Stable order, so docs/openapi.json changes only when the API does.
        if (document.Components?.Schemas is { } schemas)
            document.Components.Schemas = schemas.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary();
        return Task.CompletedTask;
    }
}
