using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Sendy.Console.Staff;

namespace Sendy.Console.ApiDocs;

/// <summary>
/// The API's description: an OpenAPI 3.1 document built from the endpoints at
/// <c>/openapi/v1.json</c> (the booking and driver API under <c>/api/v1</c>, nothing staff-only),
/// and an interactive reference of it for signed-in staff at <see cref="ReferencePath"/>.
/// </summary>
public static class ApiDocsServiceCollectionExtensions
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api-reference";

    public static IServiceCollection AddSendyApiDocs(this IServiceCollection services)
    {
        services.AddOpenApi(DocumentName, o =>
        {
            // The .NET 10 default, said out loud: .NET 11 moves the default to 3.2.
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.ShouldInclude = ApiDocsDocument.Describes;
            o.CreateSchemaReferenceId = ApiDocsDocument.SchemaName;
            o.AddDocumentTransformer(ApiDocsDocument.DescribeAsync);
            o.AddOperationTransformer(ApiDocsSecurity.RequireAsync);
            o.AddSchemaTransformer(ApiDocsExamples.AddAsync);
        });
        return services;
    }

    /// <summary>
    /// The document for anyone: it describes the public API only (what a booking system or a
    /// driver app may call, no staff-only endpoint, no secret), and integrators need it before
    /// they have any key. The reference page runs "try it" calls, so it is for staff only.
    /// </summary>
    public static WebApplication MapSendyApiDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, o => o
                .WithTitle("Sendy API")
                .WithOpenApiRoutePattern(DocumentPath)
                .WithNonce() // the page's inline start-up script; SecurityHeaders adds the nonce to the CSP
                .DisableDefaultFonts()) // no font CDN: the CSP allows 'self' fonts only, and the host may be offline
            .RequireAuthorization(new AuthorizeAttribute { Policy = StaffServiceCollectionExtensions.DispatcherPolicy });
        return app;
    }
}
