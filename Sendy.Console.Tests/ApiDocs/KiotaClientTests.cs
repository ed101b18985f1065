using Microsoft.Extensions.DependencyInjection;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Sendy.Console.Tests.ApiClient;
using Sendy.Console.Tests.ApiClient.Models;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Integrations;

namespace Sendy.Console.Tests.ApiDocs;

/// <summary>
/// A booking system's view of the API (issue 17, item 4): a C# client that Kiota generated at
/// build time from the committed docs/openapi.json (see the test project file) books, reads and
/// cancels a delivery with an API key, and gets the documented problem details when refused.
/// </summary>
public sealed class KiotaClientTests(SendyAppFactory app) : IClassFixture<SendyAppFactory>
{
    /// <summary>The key as a static bearer token (Kiota's API-key provider refuses http, the test server's scheme).</summary>
    private sealed class StaticToken(string token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new(["localhost"]);

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
            CancellationToken cancellationToken = default) => Task.FromResult(token);
    }

    private async Task<SendyApiClient> ClientAsync(params string[] scopes)
    {
        var (created, problems) = await app.Services.GetRequiredService<ApiClientRegistry>()
            .CreateAsync("Kiota " + Guid.NewGuid().ToString("N")[..8], scopes, "admin@test.local", default);
        Assert.Empty(problems);
        var http = app.CreateClient();
        var adapter = new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(new StaticToken(created!.Secret)), httpClient: http)
        {
            BaseUrl = http.BaseAddress!.ToString().TrimEnd('/'),
        };
        return new SendyApiClient(adapter);
    }

    [Fact]
    public async Task a_generated_client_books_reads_and_cancels_a_delivery()
    {
        var api = await ClientAsync(ApiScopes.DeliveriesWrite, ApiScopes.DeliveriesRead);
        var reference = "kiota-" + Guid.NewGuid().ToString("N")[..12];

        var booked = await api.Api.V1.Deliveries.PostAsync(new BookingRequest
        {
            CustomerName = "김하늘",
            CustomerPhone = "+821012345678",
            Locale = "ko",
            Pickup = new Place { Address = "인천항 제1부두", Lat = 37.45, Lon = 126.6 },
            Dropoff = new Place { Address = "부산항 신선대부두", Lat = 35.1, Lon = 129.04 },
            PromisedFrom = DateTimeOffset.Parse("2026-12-24T09:00:00+09:00", System.Globalization.CultureInfo.InvariantCulture),
            PromisedTo = DateTimeOffset.Parse("2026-12-24T12:00:00+09:00", System.Globalization.CultureInfo.InvariantCulture),
            Fare = new Fare { Amount = 185000, Currency = "KRW" },
            ExternalReference = reference,
        });
        Assert.NotNull(booked?.Id);
        Assert.Equal(DeliveryStatus.Booked, booked.Status);
        var id = booked.Id.Value;

        var read = await api.Api.V1.Deliveries[id].GetAsync();
        Assert.Equal("김하늘", read?.CustomerName);
        Assert.Equal(reference, read?.ExternalReference);
        Assert.Equal(185000, read?.Fare?.Amount);
        Assert.Equal(id, (await api.Api.V1.Deliveries.ByReference[reference].GetAsync())?.Id);

        var cancelled = await api.Api.V1.Deliveries[id].Cancel.PostAsync(new CancellationRequest
        {
            Reason = "The customer called off the order.",
            IdempotencyKey = "kiota-cancel-" + Guid.NewGuid().ToString("N")[..8],
        });
        Assert.Equal(DeliveryStatus.Booked, cancelled?.From);
        Assert.Equal(DeliveryStatus.Cancelled, cancelled?.To);
        Assert.Equal(DeliveryStatus.Cancelled, (await api.Api.V1.Deliveries[id].GetAsync())?.Status);
    }

    [Fact]
    public async Task the_generated_client_throws_the_documented_problem_details()
    {
        var reader = await ClientAsync(ApiScopes.DeliveriesRead);

        var missing = await Assert.ThrowsAsync<ProblemDetails>(() => reader.Api.V1.Deliveries[Guid.NewGuid()].GetAsync());
        Assert.Equal(404, missing.ResponseStatusCode);
        Assert.Equal("Delivery not found", missing.Title);

        var forbidden = await Assert.ThrowsAsync<ProblemDetails>(() => reader.Api.V1.Deliveries.PostAsync(new BookingRequest { CustomerName = "x" }));
        Assert.Equal(403, forbidden.ResponseStatusCode);

        var writer = await ClientAsync(ApiScopes.DeliveriesWrite);
        var invalid = await Assert.ThrowsAsync<HttpValidationProblemDetails>(() => writer.Api.V1.Deliveries.PostAsync(new BookingRequest { CustomerName = "x" }));
        Assert.Equal(400, invalid.ResponseStatusCode);
        Assert.Contains("pickup.address", invalid.Errors!.AdditionalData.Keys);
    }
}
