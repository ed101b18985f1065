using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Sendy.Console.Api;

public static class ApiEndpoints
{
    public static WebApplication MapSendyApi(this WebApplication app)
    {
        app.MapGroup("/api/v1").MapPositionsApi().MapDeliveriesApi().MapShareLinksApi().MapWebhooksApi().MapShippersApi().MapTrucksApi().MapAdminLogsApi().MapTrackExportsApi();
        app.MapOsmAndApi();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }
}
