using Sendy.Console.Integrations;
using Sendy.Engine.Deliveries.ShareLinks;
using Sendy.Engine.Integrations;

namespace Sendy.Console.Api;

/// <summary>
/// A delivery's tracking links (issue 17, item 6): <c>GET /deliveries/{id}/links</c>
/// (<c>deliveries:read</c>); reissue <c>POST /deliveries/{id}/links</c>, revoke
/// <c>POST …/links/{linkId}/revoke</c>, extend <c>POST …/links/{linkId}/extend</c>
/// (<c>deliveries:write</c>). Staff and API clients alike; changes are logged by who made them.
/// </summary>
public static class ShareLinksApi
{
    public sealed record ExtendDto(DateTimeOffset? ExpiresAt);

    public static RouteGroupBuilder MapShareLinksApi(this RouteGroupBuilder api)
    {
        var links = api.MapGroup("/deliveries/{id:guid}/links").WithTags("Tracking links");
        links.MapGet("/", ListAsync).WithName("ListTrackingLinks").RequireAuthorization(ApiAccess.Policy(ApiScopes.DeliveriesRead))
            .Produces<IReadOnlyList<ShareLinkView>>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        links.MapPost("/", ReissueAsync).WithName("ReissueTrackingLink").RequireAuthorization(ApiAccess.Policy(ApiScopes.DeliveriesWrite))
            .Produces<ShareLinkView>(StatusCodes.Status201Created).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        links.MapPost("/{linkId:guid}/revoke", RevokeAsync).WithName("RevokeTrackingLink").RequireAuthorization(ApiAccess.Policy(ApiScopes.DeliveriesWrite))
            .Produces<ShareLinkView>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        links.MapPost("/{linkId:guid}/extend", ExtendAsync).WithName("ExtendTrackingLink").RequireAuthorization(ApiAccess.Policy(ApiScopes.DeliveriesWrite))
            .Accepts<ExtendDto>("application/json").Produces<ShareLinkView>().ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404)
            .ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        return api;
    }

    private static string Who(HttpContext http) => ShareLinkService.Label(http.User.Actor());

    private static IResult NotFound() => Results.Problem(statusCode: 404, title: "Delivery or link not found");

    private static async Task<IResult> ListAsync(Guid id, ShareLinkService links, CancellationToken cancellationToken) =>
        await links.ListAsync(id, cancellationToken) is { } list ? Results.Json(list) : NotFound();

    private static async Task<IResult> ReissueAsync(Guid id, HttpContext http, ShareLinkService links, CancellationToken cancellationToken) =>
        await links.ReissueAsync(id, Who(http), cancellationToken) is { } link
            ? Results.Created($"/api/v1/deliveries/{id}/links", link)
            : NotFound();

    private static async Task<IResult> RevokeAsync(Guid id, Guid linkId, HttpContext http, ShareLinkService links, CancellationToken cancellationToken) =>
        (await links.RevokeAsync(id, linkId, Who(http), cancellationToken)) is { Outcome: ShareLinkOutcome.Done, Link: { } link }
            ? Results.Json(link)
            : NotFound();

    private static async Task<IResult> ExtendAsync(Guid id, Guid linkId, HttpContext http, ShareLinkService links, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<ExtendDto>(http.Request, 4 * 1024, cancellationToken);
        if (body.Problem is { } problem) return problem;
        if (body.Value!.ExpiresAt is not { } until)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["expiresAt"] = ["is required"] }, title: "The extension is invalid");
        var result = await links.ExtendAsync(id, linkId, until, Who(http), cancellationToken);
        return result.Outcome switch
        {
            ShareLinkOutcome.Done => Results.Json(result.Link),
            ShareLinkOutcome.ExpiryInvalid => Results.ValidationProblem(
                new Dictionary<string, string[]> { ["expiresAt"] = [$"must be in the future and at most {ShareLinkService.MaxLifetime.TotalDays:0} days ahead"] },
                title: "The extension is invalid"),
            ShareLinkOutcome.Revoked => Results.Problem(statusCode: 409, title: "Link revoked", detail: "A revoked link stays revoked; reissue one instead."),
            _ => NotFound(),
        };
    }
}
