using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Api;

/// <summary>POST /api/v1/positions through the whole app, on real PostgreSQL and kinesalite.</summary>
public sealed class PositionsApiTests(SendyAppFactory app) : IClassFixture<SendyAppFactory>
{
    private static string Iso(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);

    private static string Fix(double lat = 37.55, double lon = 126.97, DateTimeOffset? at = null, string extra = "") =>
        $$"""{"lat":{{lat.ToString(CultureInfo.InvariantCulture)}},"lon":{{lon.ToString(CultureInfo.InvariantCulture)}},"recordedAt":"{{Iso(at ?? DateTimeOffset.UtcNow.AddSeconds(-5))}}"{{extra}}}""";

    private static string Batch(params string[] fixes) => $$"""{"fixes":[{{string.Join(",", fixes)}}]}""";

    private async Task<HttpResponseMessage> PostAsync(string? token, string body, string contentType = "application/json")
    {
        var client = app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/positions")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }

    [Fact]
    public async Task accepted_fixes_are_acknowledged_then_stored_by_the_consumer()
    {
        var (truck, token, _) = await app.CreateTruckWithDeliveryAsync();
        var response = await PostAsync(token, Batch(Fix(37.50), Fix(37.51, at: DateTimeOffset.UtcNow.AddSeconds(-4))));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        await Eventually.ReachesAsync(
            () => app.Database.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck),
            n => n == 2, "positions stored from the API");
    }

    [Fact]
    public async Task a_bare_array_is_accepted_too()
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var response = await PostAsync(token, $"[{Fix()}]");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task without_a_valid_driver_token_the_answer_is_401(string? token)
    {
        var response = await PostAsync(token, Batch(Fix()));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    // Theory data is made when the tests are discovered, minutes before a slow run gets to them: times
    // relative to now are filled in when the test runs (a "10 minutes ahead" made at discovery was
    // accepted 13 minutes later in a loaded CI run).
    private static string WithTimesFromNow(string fix) => fix
        .Replace("$FUTURE", Iso(DateTimeOffset.UtcNow.AddMinutes(10)), StringComparison.Ordinal)
        .Replace("$OLD", Iso(DateTimeOffset.UtcNow.AddDays(-8)), StringComparison.Ordinal);

    public static TheoryData<string, string> InvalidFixes() => new()
    {
        { Fix(lat: 91), "fixes[0].lat" },
        { Fix(lat: -90.5), "fixes[0].lat" },
        { Fix(lon: 180.01), "fixes[0].lon" },
        { """{"lon":127,"recordedAt":"2026-01-01T00:00:00Z"}""", "fixes[0].lat" },
        { """{"lat":37,"lon":127}""", "fixes[0].recordedAt" },
        { """{"lat":37.55,"lon":126.97,"recordedAt":"$FUTURE"}""", "fixes[0].recordedAt" },
        { """{"lat":37.55,"lon":126.97,"recordedAt":"$OLD"}""", "fixes[0].recordedAt" },
        { Fix(extra: ""","speed":-1"""), "fixes[0].speed" },
        { Fix(extra: ""","speed":500"""), "fixes[0].speed" },
        { Fix(extra: ""","heading":361"""), "fixes[0].heading" },
        { Fix(extra: ""","accuracy":-3"""), "fixes[0].accuracy" },
        { Fix(extra: ""","truckId":"someone-else" """), "fixes[0].truckId" },
        { "null", "fixes[0]" },
    };

    [Theory]
    [MemberData(nameof(InvalidFixes))]
    public async Task each_invalid_field_is_named_in_a_400(string fix, string field)
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var response = await PostAsync(token, Batch(Fix(), WithTimesFromNow(fix)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = await ErrorsAsync(response);
        Assert.Contains(field.Replace("fixes[0]", "fixes[1]"), errors.Keys);
        Assert.DoesNotContain("fixes[0].lat", errors.Keys);
    }

    [Theory]
    [InlineData("{\"fixes\":[]}", "fixes")]
    [InlineData("{}", "fixes")]
    [InlineData("{\"fixes\":[{\"lat\":\"north\",\"lon\":1}]}", "fixes[0].lat")]
    [InlineData("{\"fixes\":[{\"lat\":1e999,\"lon\":1}]}", "fixes[0].lat")]
    [InlineData("{\"fixes\":[{\"lat\":NaN,\"lon\":1}]}", "fixes[0].lat")]
    [InlineData("{\"fixes\":", "fixes")]
    [InlineData("", "body")]
    [InlineData("{\"fixes\":[{\"lat\":1,\"lon\":1,\"recordedAt\":\"yesterday\"}]}", "fixes[0].recordedAt")]
    public async Task malformed_bodies_are_400_naming_where(string body, string field)
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var response = await PostAsync(token, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, (await ErrorsAsync(response)).Keys);
    }

    [Theory]
    [InlineData("2026-12-05T10:00:00")]
    [InlineData("2026-12-05T10:00:00.123")]
    [InlineData("2026-12-05")]
    public async Task a_time_without_utc_offset_is_400_naming_the_field_and_nothing_is_accepted(string time)
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var fix = $$"""{"lat":37.5,"lon":127,"recordedAt":"{{time}}"}""";

        foreach (var body in new[] { Batch(Fix(), fix), $"[{Fix()},{fix}]" })
        {
            var response = await PostAsync(token, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = await ErrorsAsync(response);
            var message = Assert.Single(Assert.Contains("fixes[1].recordedAt", errors));
            Assert.Contains("UTC offset", message);
        }
    }

    [Theory]
    [InlineData("Z")]
    [InlineData("+09:00")]
    [InlineData("-03:30")]
    public async Task a_time_with_an_offset_is_accepted(string offset)
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var at = DateTimeOffset.UtcNow.AddSeconds(-5);
        var local = at.ToOffset(offset == "Z" ? TimeSpan.Zero : TimeSpan.Parse(offset.TrimStart('+'), CultureInfo.InvariantCulture));
        var text = local.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + offset;
        var response = await PostAsync(token, Batch($$"""{"lat":37.5,"lon":127,"recordedAt":"{{text}}"}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task more_than_500_fixes_is_413()
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var response = await PostAsync(token, Batch(Enumerable.Repeat(Fix(), 501).ToArray()));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task exactly_500_fixes_is_accepted()
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var response = await PostAsync(token, Batch(Enumerable.Repeat(Fix(), 500).ToArray()));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task a_body_over_256_KB_is_413()
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var padding = new string(' ', 256 * 1024);
        var response = await PostAsync(token, Batch(Fix()) + padding);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task a_non_json_content_type_is_415()
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var response = await PostAsync(token, "lat=1&lon=2", "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task health_endpoints_report_live_and_ready()
    {
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }
}

/// <summary>The stream is unreachable: nothing is accepted, the client is told when to retry.</summary>
public sealed class PositionsApiStreamDownTests(StreamDownAppFactory app) : IClassFixture<StreamDownAppFactory>
{
    [Fact]
    public async Task an_unreachable_stream_answers_503_with_retry_after()
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var client = app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/positions")
        {
            Content = new StringContent(
                $$"""{"fixes":[{"lat":37.5,"lon":127,"recordedAt":"{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}"}]}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task readiness_is_unhealthy_while_the_stream_is_down()
    {
        var response = await app.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
