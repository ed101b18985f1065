using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Sendy.Console.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sendy.Console.Tests.Exports;

/// <summary>
/// Fuzz-style sweep of the admin's exports (track and log): odd ids, days, formats and filters from
/// a signed-in admin. Every answer is a file (200) or a deliberate 4xx problem, never a 5xx.
/// </summary>
public sealed class ExportFuzzTests(ExportFuzzTests.App app, ITestOutputHelper output) : IClassFixture<ExportFuzzTests.App>
{
    public sealed class App : SendyAppFactory
    {
        protected override bool ConsumerEnabled => false;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Admin:Email", "fuzz-admin@test.local");
            builder.UseSetting("Sendy:Admin:Password", "fuzz-admin-password");
            builder.UseSetting("Sendy:RateLimits:PerIpPermits", "100000");
        }
    }

    private static readonly string[] Weird =
    [
        "", " ", "%00", "%0d%0a", "null", "-1", "0", "2026-12-01", "2026-13-01", "2026-12-32", "20261201", "2026-12-01T00:00:00Z",
        "0001-01-01", "9999-12-31", "10000-01-01", "-2026-01-01", "%E2%80%AE2026-12-01", "%ED%95%9C%EA%B5%AD", "'; DROP TABLE positions;--",
        "<script>", "gpx", "GPX", "csv", "kml", "gpx,csv", new string('9', 5000), "%FF%FE",
    ];

    [Fact]
    public async Task the_exports_never_answer_5xx()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await StaffLogin.PostAsync(client, "fuzz-admin@test.local", "fuzz-admin-password")).StatusCode);
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var delivery = await app.Database.ScalarAsync<Guid>("SELECT id FROM deliveries WHERE truck_id = $1", truck);

        var paths = new List<string>();
        foreach (var value in Weird)
        {
            paths.Add($"/api/v1/admin/trucks/{truck}/track?day={value}");
            paths.Add($"/api/v1/admin/trucks/{truck}/track?day=2026-12-01&format={value}");
            if (!value.Contains("%00", StringComparison.Ordinal)) // a NUL in the path is refused before the app (Kestrel's 400, the test client's exception)
            {
                paths.Add($"/api/v1/admin/trucks/{value}/track?day=2026-12-01");
                paths.Add($"/api/v1/admin/deliveries/{value}/track");
            }
            paths.Add($"/api/v1/admin/deliveries/{delivery}/track?format={value}");
            paths.Add($"/api/v1/admin/trucks/{truck}/track?day={value}&day=2026-12-01&format=gpx&format={value}");
            foreach (var name in new[] { "truck", "from", "to", "status", "sort", "desc" })
            {
                paths.Add($"/api/v1/admin/logs/deliveries/export?{name}={value}");
                paths.Add($"/api/v1/admin/logs/status-events/export?{name}={value}");
            }
        }

        foreach (var path in paths)
        {
            using var response = await client.GetAsync(path);
            Assert.True((int)response.StatusCode is 200 or 400 or 404 or 405, $"{path}: {(int)response.StatusCode}");
            if (response.StatusCode != HttpStatusCode.OK)
                Assert.True(response.Content.Headers.ContentType?.MediaType is "application/problem+json" or null, $"{path}: {response.Content.Headers.ContentType}");
        }
        output.WriteLine($"{paths.Count} export requests");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/admin/trucks/{truck}/track?day=2026-12-01&format=gpx")).StatusCode);
    }
}
