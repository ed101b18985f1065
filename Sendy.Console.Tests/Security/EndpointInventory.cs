using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Sendy.Console.Tests.Security;

/// <summary>The app's own endpoints from its endpoint data source ("METHOD /pattern"), framework and static files set apart.</summary>
public static class EndpointInventory
{
    public static IReadOnlyList<string> AppEndpoints(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => !IsFrameworkOrStatic(e))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Where(m => m != "HEAD")
                .Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Static files, Blazor's own hub and framework scripts: public by design, served to every visitor.</summary>
    public static bool IsFrameworkOrStatic(RouteEndpoint e)
    {
        var pattern = e.RoutePattern.RawText ?? "";
        return pattern.StartsWith("_blazor", StringComparison.Ordinal) || pattern.StartsWith("/_blazor", StringComparison.Ordinal)
            || pattern.StartsWith("_framework", StringComparison.Ordinal) || pattern.StartsWith("/_framework", StringComparison.Ordinal)
            || e.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor")
            || e.DisplayName?.Contains("Fallback", StringComparison.Ordinal) == true && pattern.Contains("{**", StringComparison.Ordinal);
    }
}
