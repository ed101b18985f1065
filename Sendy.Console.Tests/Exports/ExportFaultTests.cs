using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Exports;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Exports;

/// <summary>
/// Exports that stop part way, with a fault-injecting track source in front of the real one: a
/// server failure mid-file and a browser that goes away are both in the admin log, with the rows
/// that went out, and neither is left as "started".
/// </summary>
public sealed class ExportFaultTests(ExportFaultTests.App app) : IClassFixture<ExportFaultTests.App>
{
    public sealed class App : SendyAppFactory
    {
        protected override bool ConsumerEnabled => false;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Admin:Email", TrackExportsApiTests.AdminEmail);
            builder.UseSetting("Sendy:Admin:Password", TrackExportsApiTests.AdminPassword);
            builder.UseSetting("Sendy:Staff:SignInPerIpPermits", "100000");
            builder.UseSetting("Sendy:Staff:SignInPerUserPermits", "100000");
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<ITrackQueries>();
                services.AddSingleton<PostgresTrackQueries>();
                services.AddSingleton<ITrackQueries>(sp => new FaultyTrackQueries(sp.GetRequiredService<PostgresTrackQueries>()));
            });
        }
    }

    /// <summary>The real track source, which after <see cref="StopAfter"/> fixes either throws or waits for the request to end.</summary>
    public sealed class FaultyTrackQueries(ITrackQueries real) : ITrackQueries
    {
        public int? StopAfter { get; set; }

        public bool Hang { get; set; }

        public Task<DeliveryTrackSpan> DeliverySpanAsync(Guid deliveryId, CancellationToken cancellationToken) =>
            real.DeliverySpanAsync(deliveryId, cancellationToken);

        public Task<bool> TruckExistsAsync(string truckId, CancellationToken cancellationToken) => real.TruckExistsAsync(truckId, cancellationToken);

        public async IAsyncEnumerable<TrackPoint> ReadAsync(TrackSpan span, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var n = 0;
            await foreach (var p in real.ReadAsync(span, cancellationToken))
            {
                if (n++ == StopAfter)
                {
                    if (!Hang) throw new InvalidOperationException("injected: the track source failed part way");
                    await Task.Delay(Timeout.Infinite, cancellationToken); // until the browser goes away
                }
                yield return p;
            }
        }
    }

    private FaultyTrackQueries Tracks => (FaultyTrackQueries)app.Services.GetRequiredService<ITrackQueries>();

    private async Task<HttpClient> AdminAsync()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await StaffLogin.PostAsync(client, TrackExportsApiTests.AdminEmail, TrackExportsApiTests.AdminPassword)).StatusCode);
        return client;
    }

    /// <summary>A truck with 5,000 fixes on one day, enough for the response to have started long before the fault.</summary>
    private async Task<string> TruckWithFixesAsync(DateOnly day)
    {
        await TrackExportsApiTests.PartitionsAsync(app.Database, day);
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        await app.Database.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location)
            SELECT 's', 'shard', g::text, $1, $2 + g * interval '1 second', $2 + g * interval '1 second', now(), ST_SetSRID(ST_MakePoint(127, 37.5), 4326)
            FROM generate_series(0, 4999) g
            """, truck, new DateTimeOffset(day.ToDateTime(new TimeOnly(3, 0)), TimeSpan.Zero));
        return truck;
    }

    private Task<string> LastLogAsync() => app.Database.ScalarAsync<string>(
        "SELECT concat_ws('|', action, format, truck_id, rows, outcome) FROM admin_log ORDER BY id DESC LIMIT 1");

    [Fact]
    public async Task a_server_failure_mid_file_cuts_the_download_and_is_logged_as_failed_with_the_rows_sent()
    {
        var truck = await TruckWithFixesAsync(new DateOnly(2026, 9, 1));
        var admin = await AdminAsync();
        Tracks.StopAfter = 4000;
        Tracks.Hang = false;

        var response = await admin.GetAsync($"/api/v1/admin/trucks/{truck}/track?day=2026-09-01", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the file had started
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync()); // and does not end well

        Assert.Equal($"TruckDayTrackExport|Csv|{truck}|4000|Failed", await Eventually.ReachesAsync(LastLogAsync, s => !s.EndsWith("|Started"), "the export's log row"));
    }

    [Fact]
    public async Task a_browser_that_goes_away_mid_file_is_logged_as_cancelled()
    {
        var truck = await TruckWithFixesAsync(new DateOnly(2026, 9, 2));
        var admin = await AdminAsync();
        Tracks.StopAfter = 3000;
        Tracks.Hang = true;

        using (var cancel = new CancellationTokenSource())
        {
            var response = await admin.GetAsync($"/api/v1/admin/trucks/{truck}/track?day=2026-09-02&format=gpx", HttpCompletionOption.ResponseHeadersRead,
                cancel.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync(cancel.Token);
            Assert.True(await body.ReadAsync(new byte[1024], cancel.Token) > 0);
            await cancel.CancelAsync(); // the browser's download is cancelled
            response.Dispose();
        }

        // How far it got depends on how much the transport buffered before the browser stopped reading; some did go out.
        var logged = (await Eventually.ReachesAsync(LastLogAsync, s => !s.EndsWith("|Started"), "the export's log row")).Split('|');
        Assert.Equal(["TruckDayTrackExport", "Gpx", truck, "Aborted"], [logged[0], logged[1], logged[2], logged[4]]);
        Assert.InRange(long.Parse(logged[3], System.Globalization.CultureInfo.InvariantCulture), 1, 3000);
    }
}
