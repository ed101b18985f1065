using Sendy.Console.Integrations;
using Sendy.Engine.Integrations;
using Sendy.Engine.Shippers;

namespace Sendy.Console.Api;

/// <summary>
/// Shippers, the companies that book: <c>GET /shippers</c> and <c>GET /shippers/{id}</c>
/// (<c>deliveries:read</c>), <c>POST /shippers</c> and <c>PUT /shippers/{id}</c>
/// (<c>deliveries:write</c>). Staff may do all of it.
/// </summary>
public static class ShippersApi
{
    public sealed record ShipperDto(string? Name, string? ContactName, string? ContactEmail, string? ContactPhone, string? Locale, IReadOnlyList<string>? NotifyBy);

    public static RouteGroupBuilder MapShippersApi(this RouteGroupBuilder api)
    {
        var shippers = api.MapGroup("/shippers").WithTags("Shippers");
        shippers.MapGet("/", ListAsync).WithName("ListShippers").RequireAuthorization(ApiAccess.Policy(ApiScopes.DeliveriesRead))
            .WithSummary("List shippers")
            .Produces<IReadOnlyList<ShipperView>>().ProducesProblem(401).ProducesProblem(403);
        shippers.MapGet("/{id:guid}", GetAsync).WithName("GetShipper").RequireAuthorization(ApiAccess.Policy(ApiScopes.DeliveriesRead))
            .WithSummary("Read a shipper")
            .Produces<ShipperView>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        shippers.MapPost("/", CreateAsync).WithName("CreateShipper").RequireAuthorization(ApiAccess.Policy(ApiScopes.DeliveriesWrite))
            .WithSummary("Create a shipper")
            .Accepts<ShipperDto>("application/json")
            .Produces<ShipperView>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        shippers.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateShipper").RequireAuthorization(ApiAccess.Policy(ApiScopes.DeliveriesWrite))
            .WithSummary("Update a shipper")
            .Accepts<ShipperDto>("application/json")
            .Produces<ShipperView>()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        return api;
    }

    private static async Task<IResult> ListAsync(ShipperRegistry shippers, CancellationToken cancellationToken) =>
        Results.Json(await shippers.ListAsync(cancellationToken));

    private static async Task<IResult> GetAsync(Guid id, ShipperRegistry shippers, CancellationToken cancellationToken) =>
        await shippers.GetAsync(id, cancellationToken) is { } shipper ? Results.Json(shipper) : Results.Problem(statusCode: 404, title: "Shipper not found");

    private static async Task<IResult> CreateAsync(HttpContext http, ShipperRegistry shippers, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<ShipperDto>(http.Request, 8 * 1024, cancellationToken);
        if (body.Problem is { } problem) return problem;
        var (shipper, problems) = await shippers.CreateAsync(Input(body.Value!), cancellationToken);
        return shipper is null ? Refused(problems) : Results.Json(shipper, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, ShipperRegistry shippers, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<ShipperDto>(http.Request, 8 * 1024, cancellationToken);
        if (body.Problem is { } problem) return problem;
        var (shipper, problems) = await shippers.UpdateAsync(id, Input(body.Value!), cancellationToken);
        return shipper is null ? Refused(problems) : Results.Json(shipper);
    }

    private static ShipperInput Input(ShipperDto dto) => new(dto.Name, dto.ContactName, dto.ContactEmail, dto.ContactPhone, dto.Locale, dto.NotifyBy);

    private static IResult Refused(IReadOnlyList<ShipperProblem> problems)
    {
        if (problems.Any(p => p.Error == ShipperError.UnknownShipper)) return Results.Problem(statusCode: 404, title: "Shipper not found");
        if (problems.Any(p => p.Error == ShipperError.NameTaken))
            return Results.Problem(statusCode: 409, title: "Shipper name taken", detail: "Another shipper has this name.");
        return Results.ValidationProblem(problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(English).ToArray()),
            title: "The shipper is invalid");
    }

    private static string English(ShipperProblem problem) => problem.Error switch
    {
        ShipperError.NameRequired => "is required, no control characters",
        ShipperError.NameTooLong or ShipperError.ContactNameTooLong => $"must be at most {problem.Detail} characters, no control characters",
        ShipperError.EmailInvalid => $"is not an email address of at most {ShipperRules.MaxEmail} characters",
        ShipperError.PhoneInvalid => "must be E.164, e.g. +821012345678",
        ShipperError.LocaleInvalid => "must be ko or en",
        ShipperError.ChannelUnknown => "may only hold email and sms",
        _ => problem.Error.ToString(),
    };
}
