using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Sendy.Console.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sendy.Console.Tests.Api;

/// <summary>
/// Fuzz-style sweep of the ingest API: every answer must be 2xx or a deliberate 4xx, never a 500,
/// and the app must still accept good input afterwards. Prints how many inputs were tried.
/// </summary>
public sealed class IngestFuzzTests(IngestFuzzTests.FuzzApp app, ITestOutputHelper output) : IClassFixture<IngestFuzzTests.FuzzApp>
{
    public sealed class FuzzApp : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:RateLimits:PerTokenPermits", "100000");
            builder.UseSetting("Sendy:RateLimits:PerIpPermits", "100000");
            builder.UseSetting("Sendy:RateLimits:PerDevicePermits", "100000");
            builder.UseSetting("Sendy:RateLimits:CircuitPerIpPermits", "100000");
            builder.UseSetting("Sendy:RateLimits:PerApiClientPermits", "100000");
        }
    }

    private static string Now(int secondsAgo = 5) => DateTimeOffset.UtcNow.AddSeconds(-secondsAgo).ToString("O", CultureInfo.InvariantCulture);

    private static readonly string[] WeirdValues =
    [
        "null", "true", "false", "\"\"", "\"north\"", "[]", "{}", "[1,2]", "{\"a\":1}", "0", "-0", "1e308", "-1e308",
        "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "123456789012345678901234567890", "0.0000000000001",
        "\"1e3\"", "\"'; DROP TABLE positions;--\"", "\"\\u0000\"", "\"한국어 텍스트 🚚\"", "\"\\ud800\"", "9007199254740993",
    ];

    private static readonly string[] Fields = ["lat", "lon", "recordedAt", "speed", "heading", "accuracy", "truckId"];

    private static readonly string[] Timestamps =
    [
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "yesterday",
        "2026-11-25", "2026-11-25T00:00:00", "1732492800", "1732492800000", "2026-11-25T25:61:61Z", "",
    ];

    private IEnumerable<(string Body, string ContentType)> Inputs()
    {
        var valid = $$"""{"fixes":[{"lat":37.55,"lon":126.97,"recordedAt":"{{Now()}}","speed":10,"heading":90,"accuracy":5}]}""";
        for (var i = 0; i < valid.Length; i++) yield return (valid[..i], "application/json"); // every truncation
        foreach (var field in Fields)
            foreach (var value in WeirdValues)
            {
                var fix = new Dictionary<string, string>
                {
                    ["lat"] = "37.5", ["lon"] = "127.0", ["recordedAt"] = $"\"{Now()}\"",
                };
                fix[field] = value;
                yield return ("{\"fixes\":[{" + string.Join(",", fix.Select(kv => $"\"{kv.Key}\":{kv.Value}")) + "}]}", "application/json");
            }
        foreach (var t in Timestamps)
            yield return ($$"""{"fixes":[{"lat":37.5,"lon":127,"recordedAt":"{{t}}"}]}""", "application/json");
        foreach (var (lat, lon) in new[] { (90.0001, 0.0), (-90.0001, 0.0), (0.0, 180.0001), (0.0, -180.0001), (90, 180), (-90, -180) })
            yield return (string.Create(CultureInfo.InvariantCulture, $$"""{"fixes":[{"lat":{{lat}},"lon":{{lon}},"recordedAt":"{{Now()}}"}]}"""), "application/json");
        var random = new Random(42);
        for (var i = 0; i < 60; i++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            yield return (Encoding.Latin1.GetString(bytes), "application/json");
        }
        yield return ("{\"fixes\":[]}", "application/json");
        yield return ("{\"fixes\":null}", "application/json");
        yield return ("{\"fixes\":{}}", "application/json");
        yield return ("[" + string.Join(",", Enumerable.Repeat("{\"lat\":1,\"lon\":1,\"recordedAt\":\"" + Now() + "\"}", 501)) + "]", "application/json");
        yield return ("{\"fixes\":[" + new string('[', 5000) + new string(']', 5000) + "]}", "application/json"); // deep nesting
        yield return (new string(' ', 300 * 1024) + "{}", "application/json");
        foreach (var contentType in new[] { "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "" })
            yield return (valid, contentType);
        yield return (valid.Replace("\"fixes\"", "\"fixes\",\"fixes\""), "application/json"); // duplicate keys
    }

    [Fact]
    public async Task no_input_gets_a_500_and_good_input_still_works_afterwards()
    {
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var client = app.CreateClient();
        var tried = 0;
        var byStatus = new Dictionary<int, int>();
        foreach (var (body, contentType) in Inputs())
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType.Length > 0) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/positions") { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            var code = (int)response.StatusCode;
            byStatus[code] = byStatus.GetValueOrDefault(code) + 1;
            Assert.True(code is 202 or 400 or 413 or 415, $"input #{tried} ({Preview(body)}, {contentType}) answered {code}");
            tried++;
        }

        foreach (var auth in new[] { "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + new string('A', 5000), "Bearer ' OR 1=1 --" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/positions")
            {
                Content = new StringContent($$"""{"fixes":[{"lat":1,"lon":1,"recordedAt":"{{Now()}}"}]}""", Encoding.UTF8, "application/json"),
            };
            if (auth.Length > 0) request.Headers.TryAddWithoutValidation("Authorization", auth);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            tried++;
        }

        output.WriteLine($"{tried} inputs tried; answers: {string.Join(", ", byStatus.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}×{kv.Value}"))}");
        using var good = new HttpRequestMessage(HttpMethod.Post, "/api/v1/positions")
        {
            Content = new StringContent($$"""{"fixes":[{"lat":37.5,"lon":127,"recordedAt":"{{Now()}}"}]}""", Encoding.UTF8, "application/json"),
        };
        good.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(good)).StatusCode);
        Assert.True(tried > 300, $"only {tried} inputs");
    }

    [Fact]
    public async Task the_status_api_never_answers_500()
    {
        var (_, _, driverToken, deliveryId, _) = await app.CreateAssignedDeliveryAsync(Sendy.Engine.Deliveries.DeliveryStatus.InTransit);
        var client = app.CreateClient();
        var valid = "{\"status\":\"Arrived\",\"note\":\"gate 3\",\"idempotencyKey\":\"fuzz-key-0001\"}";
        var bodies = new List<string>();
        for (var i = 0; i < valid.Length; i++) bodies.Add(valid[..i]);
        foreach (var field in new[] { "status", "note", "reason", "idempotencyKey" })
            foreach (var value in WeirdValues)
                bodies.Add("{\"status\":\"Arrived\",\"idempotencyKey\":\"fuzz-" + Guid.NewGuid().ToString("N")[..8] + "\",\"" + field + "\":" + value + "}");
        bodies.Add("{\"status\":\"Failed\",\"idempotencyKey\":\"fuzz-failed-1\",\"reason\":\"" + new string('x', 5000) + "\"}");
        var random = new Random(7);
        for (var i = 0; i < 20; i++) { var b = new byte[random.Next(1, 200)]; random.NextBytes(b); bodies.Add(Encoding.Latin1.GetString(b)); }

        var tried = 0;
        foreach (var body in bodies)
            foreach (var path in new[] { $"/api/v1/deliveries/{deliveryId}/status", $"/api/v1/deliveries/{Guid.NewGuid()}/status" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", driverToken);
                var code = (int)(await client.SendAsync(request)).StatusCode;
                Assert.True(code is 200 or 201 or 400 or 403 or 404 or 409 or 413 or 415 or 422, $"status API: {Preview(body)} answered {code}");
                tried++;
            }
        output.WriteLine($"status API: {tried} inputs, no 5xx");
    }

    [Fact]
    public async Task the_delivery_api_never_answers_500_to_an_api_client()
    {
        var (created, _) = await app.Services.GetRequiredService<Sendy.Engine.Integrations.ApiClientRegistry>()
            .CreateAsync("fuzz-" + Guid.NewGuid().ToString("N")[..8], Sendy.Engine.Integrations.ApiScopes.All, "fuzz", default);
        var (_, _, _, deliveryId, _) = await app.CreateAssignedDeliveryAsync(Sendy.Engine.Deliveries.DeliveryStatus.InTransit);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created!.Secret);
        var tried = 0;
        async Task TryAsync(HttpRequestMessage request, string what)
        {
            using (request)
            {
                var code = (int)(await client.SendAsync(request)).StatusCode;
                Assert.True(code is 200 or 201 or 204 or 400 or 404 or 409 or 413 or 415 or 422, $"delivery API: {what} answered {code}");
                tried++;
            }
        }

        var valid = """
            {"customerName":"Fuzz","customerEmail":"fuzz@example.test","customerPhone":"+821012345678","locale":"en",
             "pickup":{"address":"Incheon","lat":37.45,"lon":126.6},"dropoff":{"address":"Busan","lat":35.1,"lon":129.04},
             "promisedFrom":"2026-12-24T09:00:00+09:00","promisedTo":"2026-12-24T12:00:00+09:00","fare":{"amount":120000,"currency":"KRW"},
             "notifyBy":["sms"],"externalReference":"fuzz-ref"}
            """;
        var bodies = new List<string>();
        for (var i = 0; i < valid.Length; i += 2) bodies.Add(valid[..i]);
        foreach (var field in new[] { "customerName", "customerEmail", "customerPhone", "locale", "pickup", "dropoff", "promisedFrom", "promisedTo",
                     "fare", "notifyBy", "externalReference", "shipperId" })
            foreach (var value in WeirdValues.Concat(Timestamps.Select(t => $"\"{t}\"")))
                bodies.Add($$"""{"customerName":"Fuzz","pickup":{"address":"A","lat":37,"lon":127},"dropoff":{"address":"B","lat":35,"lon":129},"{{field}}":{{value}}}""");
        foreach (var value in WeirdValues)
        {
            bodies.Add($$$"""{"customerName":"Fuzz","pickup":{"address":"A","lat":37,"lon":127},"dropoff":{"address":"B","lat":35,"lon":129},"fare":{"amount":{{{value}}},"currency":"KRW"}}""");
            bodies.Add($$$"""{"customerName":"Fuzz","pickup":{"address":"A","lat":37,"lon":127},"dropoff":{"address":"B","lat":35,"lon":129},"fare":{"amount":1,"currency":{{{value}}}}}""");
            bodies.Add($$$"""{"customerName":"Fuzz","pickup":{"address":"A","lat":{{{value}}},"lon":127},"dropoff":{"address":"B","lat":35,"lon":129}}""");
        }
        foreach (var body in bodies)
            await TryAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/deliveries") { Content = new StringContent(body, Encoding.UTF8, "application/json") },
                "booking " + (body.Length <= 300 ? body : body[..300] + "…"));
        foreach (var key in new[] { "", " ", "\t", new string('k', 256), new string('k', 10_000), "키", "a\u0000b", "fuzz-key" })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deliveries")
            {
                Content = new StringContent(valid.Replace("fuzz-ref", Guid.NewGuid().ToString("N"), StringComparison.Ordinal), Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            await TryAsync(request, "Idempotency-Key " + Preview(key));
        }
        foreach (var field in new[] { "name", "contactName", "contactEmail", "contactPhone", "locale", "notifyBy" })
            foreach (var value in WeirdValues)
                await TryAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/shippers")
                {
                    Content = new StringContent($"{{\"name\":\"Fuzz {Guid.NewGuid():N}\",\"{field}\":{value}}}", Encoding.UTF8, "application/json"),
                }, $"shipper {field}={value}");
        foreach (var value in WeirdValues)
        {
            // A fresh open delivery each time, so the reason reaches the status write (a closed one is refused before).
            var (_, _, _, open, _) = await app.CreateAssignedDeliveryAsync(Sendy.Engine.Deliveries.DeliveryStatus.InTransit);
            await TryAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/deliveries/{open}/cancel")
            {
                Content = new StringContent($"{{\"reason\":{value},\"idempotencyKey\":\"fuzz-{Guid.NewGuid():N}\"}}", Encoding.UTF8, "application/json"),
            }, $"cancel reason={value}");
        }
        var linkId = await app.Database.ScalarAsync<Guid>("SELECT id FROM tracking_links WHERE delivery_id = $1", deliveryId);
        foreach (var value in WeirdValues.Concat(Timestamps.Select(t => $"\"{t}\"")))
            await TryAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/deliveries/{deliveryId}/links/{linkId}/extend")
            {
                Content = new StringContent($"{{\"expiresAt\":{value}}}", Encoding.UTF8, "application/json"),
            }, $"extend expiresAt={value}");
        var odd = new[] { "", "abc", "-1", "0", "1e9", "%00", "'; DROP TABLE deliveries;--", "한국", "99999999999999999999", "NaN", "2026-13-45", "null" };
        foreach (var param in new[] { "status", "shipperId", "updatedSince", "externalReference", "limit", "cursor" })
            foreach (var value in odd.Append(new string('x', 5000)))
                await TryAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deliveries?{param}={Uri.EscapeDataString(value)}"), $"list {param}={Preview(value)}");
        foreach (var value in odd.Where(v => v.Length > 0).Append(new string('x', 500)))
        {
            await TryAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deliveries/by-reference/{Uri.EscapeDataString(value)}"), "by-reference " + Preview(value));
            await TryAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deliveries/{deliveryId}/trail?maxPoints={Uri.EscapeDataString(value)}"), "trail " + Preview(value));
        }
        output.WriteLine($"delivery API: {tried} inputs, no 5xx");
    }

    [Fact]
    public async Task the_webhook_api_never_answers_500()
    {
        var (created, _) = await app.Services.GetRequiredService<Sendy.Engine.Integrations.ApiClientRegistry>()
            .CreateAsync("fuzz-hooks-" + Guid.NewGuid().ToString("N")[..8], [Sendy.Engine.Integrations.ApiScopes.WebhooksManage], "fuzz", default);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created!.Secret);
        var tried = 0;
        async Task<HttpResponseMessage> TryAsync(HttpMethod method, string path, string? body, string what)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            var response = await client.SendAsync(request);
            var code = (int)response.StatusCode;
            Assert.True(code is 200 or 201 or 202 or 204 or 400 or 404 or 409 or 413 or 415, $"webhook API: {what} answered {code}");
            tried++;
            return response;
        }

        var valid = """{"url":"https://hooks.example.test/fuzz","eventTypes":["delivery.created","delivery.status_changed"],"description":"fuzz"}""";
        var bodies = new List<string>();
        for (var i = 0; i < valid.Length; i += 3) bodies.Add(valid[..i]);
        var urls = new[]
        {
            "\"http://hooks.example.test/x\"", "\"https://127.0.0.1/x\"", "\"https://[::1]/x\"", "\"https://0x7f000001/x\"", "\"https://2130706433/x\"",
            "\"https://169.254.169.254/\"", "\"https://[fe80::1]/\"", "\"https://[::ffff:10.0.0.1]/\"", "\"https://100.64.0.1/\"", "\"file:///etc/passwd\"",
            "\"https://hooks.example.test/#frag\"", "\"//hooks.example.test/x\"", "\"https://例え.テスト/x\"", $"\"https://x.test/{new string('a', 3000)}\"",
        };
        foreach (var field in new[] { "url", "eventTypes", "description", "enabled", "apiClientId" })
            foreach (var value in WeirdValues.Concat(field == "url" ? urls : []))
                bodies.Add(valid.Replace("}", $",\"{field}\":{value}}}", StringComparison.Ordinal));
        foreach (var value in WeirdValues)
            bodies.Add($$"""{"url":"https://hooks.example.test/fuzz","eventTypes":[{{value}}]}""");
        string? endpoint = null;
        foreach (var body in bodies)
        {
            var response = await TryAsync(HttpMethod.Post, "/api/v1/webhooks/endpoints", body, "create " + Preview(body));
            if (response.StatusCode == System.Net.HttpStatusCode.Created && endpoint is null)
                endpoint = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("endpoint").GetProperty("id").GetString();
            if (response.StatusCode == System.Net.HttpStatusCode.Created && endpoint is not null)
                await app.Database.ExecuteAsync("DELETE FROM webhook_endpoints WHERE api_client_id = $1 AND id <> $2", created.Client.Id, Guid.Parse(endpoint));
        }
        Assert.NotNull(endpoint);
        foreach (var field in new[] { "url", "eventTypes", "description", "enabled", "apiClientId" })
            foreach (var value in WeirdValues)
                await TryAsync(HttpMethod.Patch, $"/api/v1/webhooks/endpoints/{endpoint}", $"{{\"{field}\":{value}}}", $"patch {field}={value}");
        foreach (var value in WeirdValues)
            await TryAsync(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{endpoint}/rotate-secret", $"{{\"gracePeriodHours\":{value}}}", $"rotate {value}");
        var odd = new[] { "", "abc", "-1", "0", "1e9", "%00", "'; DROP TABLE webhook_messages;--", "한국", "99999999999999999999", "NaN", "null" };
        foreach (var param in new[] { "before", "limit" })
            foreach (var value in odd)
                await TryAsync(HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}/messages?{param}={Uri.EscapeDataString(value)}", null, $"messages {param}={Preview(value)}");
        foreach (var value in odd.Where(v => v.Length > 0))
        {
            await TryAsync(HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}/messages/{Uri.EscapeDataString(value)}/attempts", null, "attempts " + Preview(value));
            await TryAsync(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{endpoint}/messages/{Uri.EscapeDataString(value)}/redeliver", null, "redeliver " + Preview(value));
        }
        output.WriteLine($"webhook API: {tried} inputs, no 5xx");
    }

    [Fact]
    public async Task the_osmand_endpoint_never_answers_500()
    {
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var device = (await app.Fleet.IssueDeviceIdAsync(truck, default))!;
        var client = app.CreateClient();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var tried = 0;
        foreach (var param in new[] { "lat", "lon", "timestamp", "speed", "bearing", "accuracy", "altitude", "batt", "id" })
            foreach (var value in new[] { "", "abc", "NaN", "Infinity", "-1e999", "1e999", "%00", "'; DROP TABLE trucks;--", "한국", "99999999999999999999", "-0" })
            {
                var query = new Dictionary<string, string> { ["id"] = device, ["lat"] = "37.5", ["lon"] = "127", ["timestamp"] = now };
                query[param] = value;
                var url = "/osmand?" + string.Join("&", query.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));
                var code = (int)(await client.GetAsync(url)).StatusCode;
                Assert.True(code is 200, $"osmand {url} answered {code}"); // a tracker resends anything else forever
                tried++;
            }
        var json = $$$"""{"location":{"timestamp":"{{{DateTimeOffset.UtcNow:O}}}","coords":{"latitude":37.5,"longitude":127,"speed":3}},"device_id":"{{{device}}}"}""";
        for (var i = 0; i < json.Length; i += 3)
        {
            var code = (int)(await client.PostAsync("/osmand", new StringContent(json[..i], Encoding.UTF8, "application/json"))).StatusCode;
            Assert.True(code is 200, $"osmand JSON {Preview(json[..i])} answered {code}");
            tried++;
        }
        output.WriteLine($"OsmAnd: {tried} inputs, no 5xx");
    }

    private static string Preview(string body) => body.Length <= 60 ? body : body[..60] + "…";
}
