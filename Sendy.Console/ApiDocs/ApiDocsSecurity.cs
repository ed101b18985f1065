using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Sendy.Console.Api;
using Sendy.Console.Integrations;

namespace Sendy.Console.ApiDocs;

/// <summary>
/// The two bearer schemes, and on each operation the one it takes: the driver token, or an API
/// client's key with the scope the endpoint's policy names (OpenAPI 3.1 lets a non-OAuth
/// requirement list roles; we list the scope).
/// </summary>
internal static class ApiDocsSecurity
{
    public const string DriverToken = "driverToken";
    public const string ApiClient = "apiClient";

    public static void AddSchemes(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiClient] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "sendy_sk_…",
            Description = "An API client's key, issued by an admin on /admin/integrations and shown once: "
                + "'Authorization: Bearer sendy_sk_…'. The key's scopes (deliveries:read, deliveries:write, positions:read) "
                + "decide what it may do; each operation lists the scope it needs. Signed-in staff may call these operations too.",
        };
        document.Components.SecuritySchemes[DriverToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The driver token of the driver's one-time link: 'Authorization: Bearer <token>'.",
        };
    }

    /// <summary>The scheme an endpoint takes, or null for none of these two (staff-only or anonymous).</summary>
    public static string? SchemeOf(IEnumerable<object> metadata)
    {
        var items = metadata.ToList();
        if (items.OfType<DriverTokenAuth>().Any()) return DriverToken;
        return Scopes(items).Count > 0 ? ApiClient : null;
    }

    private static List<string> Scopes(IEnumerable<object> metadata) =>
        [.. metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
            .Where(p => p.StartsWith(ApiAccess.Policy(""), StringComparison.Ordinal))
            .Select(p => p[ApiAccess.Policy("").Length..]).Distinct().Order(StringComparer.Ordinal)];

    public static Task RequireAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (SchemeOf(metadata) is not { } scheme) return Task.CompletedTask;
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(scheme, context.Document)] = scheme == ApiClient ? Scopes(metadata) : [],
        });
        return Task.CompletedTask;
    }
}
