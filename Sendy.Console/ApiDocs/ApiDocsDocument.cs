using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Sendy.Console.Api;
using Sendy.Engine.Ingest;
using Sendy.Engine.Integrations.Webhooks;

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

    public static async Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
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
        await AddWebhooksAsync(document, context, cancellationToken);
        // Stable order, so docs/openapi.json changes only when the API does.
        if (document.Components?.Schemas is { } schemas)
            document.Components.Schemas = schemas.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary();
    }

    /// <summary>What Sendy posts to a subscribed endpoint, one entry per event type (OpenAPI 3.1's <c>webhooks</c>).</summary>
    private static async Task AddWebhooksAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var payload = await context.GetOrCreateSchemaAsync(typeof(WebhookPayload), null, cancellationToken);
        document.AddComponent("WebhookPayload", payload);
        static OpenApiParameter Header(string name, string description) =>
            new() { Name = name, In = ParameterLocation.Header, Required = true, Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        document.Webhooks = WebhookEventTypes.All.ToDictionary(type => type, type => (IOpenApiPathItem)new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Post] = new()
                {
                    OperationId = "Webhook_" + type.Replace('.', '_'),
                    Summary = type,
                    Description = "Posted to every enabled endpoint subscribed to this event type, signed the Standard Webhooks way. Answer 2xx "
                        + "within 10 s; anything else is retried with backoff for 24 h. Per endpoint and delivery the next event waits for this one; "
                        + "dedupe on webhook-id.",
                    Parameters =
                    [
                        Header("webhook-id", "msg_…, the same on every retry and redelivery"),
                        Header("webhook-timestamp", "Unix seconds of this attempt"),
                        Header("webhook-signature", "v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\"> with the endpoint's secret; two, space-separated, while a rotation's grace period runs"),
                    ],
                    RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = new OpenApiSchemaReference("WebhookPayload", document) } },
                    },
                    Responses = new OpenApiResponses { ["2XX"] = new OpenApiResponse { Description = "Received" } },
                },
            },
        });
    }
}
