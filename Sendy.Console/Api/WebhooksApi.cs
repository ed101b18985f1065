using System.Text.Json.Serialization;
using Sendy.Console.Integrations;
using Sendy.Engine.Integrations;
using Sendy.Engine.Integrations.Webhooks;

namespace Sendy.Console.Api;

/// <summary>
/// Webhook endpoints (issue 17, item 5), all under <c>webhooks:manage</c>: the event catalogue,
/// an API client's endpoints (create, list, read, change, delete, rotate the secret), their recent
/// messages with every attempt, and redelivery. A client sees only its own endpoints; staff see
/// every client's and name the client when they create one.
/// </summary>
public static class WebhooksApi
{
    public sealed record EndpointDto(
        [property: JsonPropertyName("url")] string? Url,
        [property: JsonPropertyName("eventTypes")] IReadOnlyList<string>? EventTypes,
        [property: JsonPropertyName("description")] string? Description,
        [property: JsonPropertyName("enabled")] bool? Enabled,
        [property: JsonPropertyName("apiClientId")] Guid? ApiClientId);

    public sealed record RotateDto([property: JsonPropertyName("gracePeriodHours")] double? GracePeriodHours);

    public sealed record EventTypeView(string Type, string Description);

    public sealed record MessagePage(IReadOnlyList<WebhookMessageView> Items, long? NextBefore);

    public const int MaxBody = 8 * 1024;

    private static readonly IReadOnlyList<EventTypeView> Catalogue =
    [
        new(WebhookEventTypes.Created, "A delivery was booked; carries the customer's tracking link."),
        new(WebhookEventTypes.Assigned, "A driver and truck were assigned, first or again."),
        new(WebhookEventTypes.StatusChanged, "The status moved (every move after booking, the final ones included)."),
        new(WebhookEventTypes.EtaChanged, "The arrival estimate moved by 5 minutes or more since it was last announced."),
        new(WebhookEventTypes.Delivered, "The goods were handed over (also sent as a status change)."),
    ];

    public static RouteGroupBuilder MapWebhooksApi(this RouteGroupBuilder api)
    {
        var hooks = api.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(ApiAccess.Policy(ApiScopes.WebhooksManage));
        hooks.MapGet("/event-types", () => Results.Json(Catalogue)).WithName("ListWebhookEventTypes")
            .WithSummary("The events an endpoint can subscribe to").Produces<IReadOnlyList<EventTypeView>>().ProducesProblem(401).ProducesProblem(403);
        hooks.MapGet("/endpoints", ListAsync).WithName("ListWebhookEndpoints")
            .WithSummary("The caller's webhook endpoints (staff: every client's)").Produces<IReadOnlyList<WebhookEndpointView>>().ProducesProblem(401).ProducesProblem(403);
        hooks.MapPost("/endpoints", CreateAsync).WithName("CreateWebhookEndpoint")
            .WithSummary("Subscribe a URL to event types")
            .WithDescription("201 with the endpoint and its signing secret (whsec_…), shown this once. The URL must be https and public "
                + "(loopback, private and link-local addresses are refused, also after DNS resolution, unless an admin allowed the host).")
            .Accepts<EndpointDto>("application/json").Produces<WebhookEndpointWithSecret>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        hooks.MapGet("/endpoints/{id:guid}", GetAsync).WithName("GetWebhookEndpoint")
            .WithSummary("Read a webhook endpoint").Produces<WebhookEndpointView>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        hooks.MapPatch("/endpoints/{id:guid}", UpdateAsync).WithName("UpdateWebhookEndpoint")
            .WithSummary("Change a webhook endpoint's URL, event types, description, or enable or disable it (left-out fields stay)")
            .Accepts<EndpointDto>("application/json").Produces<WebhookEndpointView>()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(413).ProducesProblem(415);
        hooks.MapDelete("/endpoints/{id:guid}", DeleteAsync).WithName("DeleteWebhookEndpoint")
            .WithSummary("Delete a webhook endpoint and its pending messages").Produces(StatusCodes.Status204NoContent).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        hooks.MapPost("/endpoints/{id:guid}/rotate-secret", RotateAsync).WithName("RotateWebhookSecret")
            .WithSummary("Issue a new signing secret; the old one keeps signing during the grace period (default 24 h, at most 168 h, 0 ends it now)")
            .Accepts<RotateDto>("application/json").Produces<WebhookEndpointWithSecret>()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(413).ProducesProblem(415);
        hooks.MapGet("/endpoints/{id:guid}/messages", MessagesAsync).WithName("ListWebhookMessages")
            .WithSummary("An endpoint's messages, newest first (pass nextBefore as before for older ones)")
            .Produces<MessagePage>().ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        hooks.MapGet("/endpoints/{id:guid}/messages/{messageId:long}/attempts", AttemptsAsync).WithName("ListWebhookAttempts")
            .WithSummary("Every attempt to deliver a message: time, status code, latency, error")
            .Produces<IReadOnlyList<WebhookAttemptView>>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        hooks.MapPost("/endpoints/{id:guid}/messages/{messageId:long}/redeliver", RedeliverAsync).WithName("RedeliverWebhookMessage")
            .WithSummary("Send a delivered or given-up message again, with the same webhook-id")
            .Produces(StatusCodes.Status202Accepted).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return api;
    }

    private static IResult NotFound() => Results.Problem(statusCode: 404, title: "Webhook endpoint or message not found");

    private static IResult Invalid(Dictionary<string, string[]> errors) => Results.ValidationProblem(errors, title: "The webhook endpoint is invalid");

    private static async Task<IResult> ListAsync(HttpContext http, WebhookEndpoints endpoints, CancellationToken cancellationToken) =>
        Results.Json(await endpoints.ListAsync(http.User.ApiClientId(), cancellationToken));

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, WebhookEndpoints endpoints, CancellationToken cancellationToken) =>
        await endpoints.GetAsync(id, http.User.ApiClientId(), cancellationToken) is { } view ? Results.Json(view) : NotFound();

    private static async Task<IResult> CreateAsync(HttpContext http, WebhookEndpoints endpoints, ApiClientRegistry clients, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<EndpointDto>(http.Request, MaxBody, cancellationToken);
        if (body.Problem is { } problem) return problem;
        var dto = body.Value!;
        var request = new WebhookEndpointRequest(dto.Url, dto.EventTypes, dto.Description);
        var errors = endpoints.Check(request);
        // An endpoint belongs to a client: a client's own, or the one staff name.
        var owner = http.User.ApiClientId();
        if (owner is null)
        {
            if (dto.ApiClientId is not { } named) errors["apiClientId"] = ["is required for staff: the API client the endpoint belongs to"];
            else if ((await clients.ListAsync(cancellationToken)).All(c => c.Id != named || c.IsRevoked)) errors["apiClientId"] = ["is not an active API client"];
            else owner = named;
        }
        else if (dto.ApiClientId is { } other && other != owner) errors["apiClientId"] = ["must be left out (or be the caller's own id)"];
        if (dto.Enabled is not null) errors["enabled"] = ["is set by PATCH; a new endpoint is enabled"];
        if (errors.Count > 0) return Invalid(errors);
        var created = await endpoints.CreateAsync(owner!.Value, request, Sendy.Engine.Deliveries.ShareLinks.ShareLinkService.Label(http.User.Actor()), cancellationToken);
        return created is null
            ? Results.Problem(statusCode: 409, title: "Too many endpoints", detail: $"A client has at most {WebhookEndpoints.MaxEndpointsPerClient} webhook endpoints.")
            : Results.Created($"/api/v1/webhooks/endpoints/{created.Endpoint.Id}", created);
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, WebhookEndpoints endpoints, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<EndpointDto>(http.Request, MaxBody, cancellationToken);
        if (body.Problem is { } problem) return problem;
        var dto = body.Value!;
        var request = new WebhookEndpointRequest(dto.Url, dto.EventTypes, dto.Description);
        var errors = endpoints.Check(request, partial: true);
        if (dto.ApiClientId is not null) errors["apiClientId"] = ["cannot be changed"];
        if (errors.Count > 0) return Invalid(errors);
        return await endpoints.UpdateAsync(id, http.User.ApiClientId(), request, dto.Enabled, cancellationToken) is { } view ? Results.Json(view) : NotFound();
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext http, WebhookEndpoints endpoints, CancellationToken cancellationToken) =>
        await endpoints.DeleteAsync(id, http.User.ApiClientId(), cancellationToken) ? Results.NoContent() : NotFound();

    private static async Task<IResult> RotateAsync(Guid id, HttpContext http, WebhookEndpoints endpoints, CancellationToken cancellationToken)
    {
        TimeSpan? grace = null;
        if (http.Request.ContentLength is > 0 || http.Request.ContentType is not null)
        {
            var body = await ApiJson.ReadAsync<RotateDto>(http.Request, MaxBody, cancellationToken);
            if (body.Problem is { } problem) return problem;
            if (body.Value!.GracePeriodHours is { } hours)
            {
                if (hours is < 0 or > 168 || double.IsNaN(hours))
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["gracePeriodHours"] = ["must be between 0 and 168"] },
                        title: "The rotation is invalid");
                grace = TimeSpan.FromHours(hours);
            }
        }
        return await endpoints.RotateSecretAsync(id, http.User.ApiClientId(), grace, cancellationToken) is { } rotated ? Results.Json(rotated) : NotFound();
    }

    private static async Task<IResult> MessagesAsync(Guid id, long? before, int? limit, HttpContext http, WebhookEndpoints endpoints,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 200 || before is < 1)
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                [limit is < 1 or > 200 ? "limit" : "before"] = [limit is < 1 or > 200 ? "must be between 1 and 200" : "must be a message id"],
            }, title: "The query is invalid");
        if (await endpoints.GetAsync(id, http.User.ApiClientId(), cancellationToken) is null) return NotFound();
        var take = limit ?? 50;
        var items = await endpoints.MessagesAsync(id, http.User.ApiClientId(), before, take, cancellationToken);
        return Results.Json(new MessagePage(items, items.Count == take ? items[^1].Id : null));
    }

    private static async Task<IResult> AttemptsAsync(Guid id, long messageId, HttpContext http, WebhookEndpoints endpoints, CancellationToken cancellationToken) =>
        await endpoints.MessageOfAsync(id, messageId, http.User.ApiClientId(), cancellationToken) is null
            ? NotFound()
            : Results.Json(await endpoints.AttemptsAsync(messageId, cancellationToken));

    private static async Task<IResult> RedeliverAsync(Guid id, long messageId, HttpContext http, WebhookEndpoints endpoints, CancellationToken cancellationToken)
    {
        if (await endpoints.MessageOfAsync(id, messageId, http.User.ApiClientId(), cancellationToken) is not { } message) return NotFound();
        return await endpoints.RedeliverAsync(messageId, cancellationToken)
            ? Results.Accepted($"/api/v1/webhooks/endpoints/{id}/messages/{messageId}/attempts")
            : Results.Problem(statusCode: 409, title: "Not redeliverable", detail: $"Message {message.MessageId} is waiting to be sent already, or its client was revoked.");
    }
}
