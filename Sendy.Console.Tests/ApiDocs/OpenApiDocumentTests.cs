using System.Net;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Api;
using Sendy.Console.Staff;
using Sendy.Console.Tests.Browser;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Integrations;

namespace Sendy.Console.Tests.ApiDocs;

/// <summary>
/// The OpenAPI document at /openapi/v1.json (issue 17, item 4): it matches the committed
/// docs/openapi.json, describes every public /api/v1 endpoint with its scheme, scopes, body and
/// problem answers, and the reference page is for signed-in staff under a CSP nonce.
/// </summary>
public sealed partial class OpenApiDocumentTests(OpenApiDocumentTests.DocsApp app) : IClassFixture<OpenApiDocumentTests.DocsApp>
{
    public sealed class DocsApp : SendyAppFactory
    {
        public const string AdminEmail = "docs-admin@test.local";
        public const string AdminPassword = "docs-admin-password";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Admin:Email", AdminEmail);
            builder.UseSetting("Sendy:Admin:Password", AdminPassword);
        }
    }

    public const string UpdateVariable = "SENDY_UPDATE_OPENAPI";

    public static string CommittedPath => Path.Combine(RepoPaths.Root, "docs", "openapi.json");

    /// <summary>The served document as docs/openapi.json holds it: indented, Korean kept readable, "\n" line ends.</summary>
    public static async Task<string> ServedAsync(HttpClient client)
    {
        var served = await client.GetStringAsync("/openapi/v1.json");
        return JsonNode.Parse(served)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .ReplaceLineEndings("\n") + "\n";
    }

    [Fact]
    public async Task the_committed_docs_openapi_json_is_the_served_document()
    {
        var served = await ServedAsync(app.CreateClient());
        Assert.Equal(served, await ServedAsync(app.CreateClient())); // the same twice: nothing from the request or the clock
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1") await File.WriteAllTextAsync(CommittedPath, served);
        var committed = File.Exists(CommittedPath) ? (await File.ReadAllTextAsync(CommittedPath)).ReplaceLineEndings("\n") : "";
        if (committed == served) return;
        var (line, at) = FirstDifference(committed, served);
        Assert.Fail($"docs/openapi.json differs from the served /openapi/v1.json from line {line}:\n"
            + $"  committed: {at.Committed}\n  served:    {at.Served}\n"
            + $"If the API change is meant, rewrite the file with: {UpdateVariable}=1 SENDY_TEST_FILTER='FullyQualifiedName~OpenApi' ./sendy.sh test, and commit it.");
    }

    private static (int Line, (string Committed, string Served) At) FirstDifference(string committed, string served)
    {
        var (a, b) = (committed.Split('\n'), served.Split('\n'));
        for (var i = 0; ; i++)
        {
            var (x, y) = (i < a.Length ? a[i] : "<end of file>", i < b.Length ? b[i] : "<end of file>");
            if (x != y) return (i + 1, (x.Trim(), y.Trim()));
        }
    }

    private async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;

    private static IEnumerable<(string Method, string Path, JsonObject Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (o.Key.ToUpperInvariant(), p.Key, o.Value!.AsObject())));

    [Fact]
    public async Task every_public_api_endpoint_is_described_and_staff_only_ones_are_not()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(endpoints);
        var staffPolicies = new[] { StaffServiceCollectionExtensions.AdminPolicy, StaffServiceCollectionExtensions.DispatcherPolicy };
        var notPublic = endpoints.Where(e => e.Metadata.GetMetadata<DriverTokenAuth>() is null
            && !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy?.StartsWith("scope:", StringComparison.Ordinal) == true)).ToList();
        var unmarked = notPublic.Where(e => !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => staffPolicies.Contains(a.Policy))).ToList();
        Assert.True(unmarked.Count == 0, "/api/v1 endpoints that are neither public (scope policy or WithDriverTokenAuth) nor staff-only: "
            + string.Join(", ", unmarked.Select(e => e.RoutePattern.RawText)));

        var document = await DocumentAsync();
        var described = Operations(document).Select(o => (string)o.Operation["operationId"]!).Order(StringComparer.Ordinal).ToList();
        var expected = endpoints.Except(notPublic).Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? e.DisplayName!)
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, described);
        Assert.Equal("3.1.1", (string)document["openapi"]!);
        Assert.Null(document["servers"]);
        Assert.All(document["paths"]!.AsObject(), p => Assert.StartsWith("/api/v1/", p.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task each_operation_names_its_bearer_scheme_scopes_and_problem_answers()
    {
        var document = await DocumentAsync();
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal(["apiClient", "driverToken"], schemes.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.All(schemes, s => Assert.Equal("bearer", (string)s.Value!["scheme"]!));

        var operations = Operations(document).ToDictionary(o => (string)o.Operation["operationId"]!, o => o.Operation);
        Assert.Equal(["deliveries:write"], Requirement(operations["BookDelivery"], "apiClient"));
        Assert.Equal(["deliveries:write"], Requirement(operations["CancelDelivery"], "apiClient"));
        Assert.Equal(["deliveries:read"], Requirement(operations["GetDelivery"], "apiClient"));
        Assert.Equal(["positions:read"], Requirement(operations["GetDeliveryTrail"], "apiClient"));
        Assert.Equal(["webhooks:manage"], Requirement(operations["CreateWebhookEndpoint"], "apiClient"));
        Assert.Equal([], Requirement(operations["PostPositions"], "driverToken"));
        Assert.Equal([], Requirement(operations["PostDeliveryStatus"], "driverToken"));
        foreach (var (id, operation) in operations)
        {
            Assert.True(operation["security"]!.AsArray().Count == 1, $"{id}: one security requirement");
            var responses = operation["responses"]!.AsObject();
            Assert.True(responses["401"]?["content"]?["application/problem+json"] is not null, $"{id}: 401 as problem details");
            foreach (var (code, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                Assert.True(response!["content"]?["application/problem+json"] is not null, $"{id}: {code} as problem details");
            if (id.StartsWith("Post", StringComparison.Ordinal) || id is "BookDelivery" or "AssignDelivery" or "CancelDelivery" or "CreateShipper" or "UpdateShipper" or "ExtendTrackingLink"
                or "CreateWebhookEndpoint" or "UpdateWebhookEndpoint")
                Assert.True(operation["requestBody"]?["content"]?["application/json"]?["schema"] is not null, $"{id}: a JSON request body");
        }
    }

    private static string[] Requirement(JsonObject operation, string scheme) =>
        operation["security"]?[0]?[scheme]?.AsArray().Select(s => (string)s!).ToArray() ?? [$"<no {scheme} requirement>"];

    [Fact]
    public async Task the_booking_request_has_an_example_that_books()
    {
        var document = await DocumentAsync();
        var booking = document["components"]!["schemas"]!["BookingRequest"]!;
        var example = booking["examples"]![0]!.ToJsonString();
        Assert.Contains("\"customerName\"", example, StringComparison.Ordinal);
        var header = document["paths"]!["/api/v1/deliveries"]!["post"]!["parameters"]!.AsArray().Single(p => (string)p!["name"]! == "Idempotency-Key");
        Assert.Equal("header", (string)header!["in"]!);

        // The example is a valid booking, not just text.
        var (created, _) = await app.Services.GetRequiredService<ApiClientRegistry>()
            .CreateAsync("Docs " + Guid.NewGuid().ToString("N")[..8], [ApiScopes.DeliveriesWrite], "docs-admin@test.local", default);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deliveries") { Content = new StringContent(example, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", created!.Secret);
        var response = await app.CreateClient().SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task the_document_is_public_and_the_reference_page_is_for_staff_only()
    {
        var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        var denied = await anonymous.GetAsync("/api-reference/");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("/account/login", denied.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var (client, _) = await app.Services.GetRequiredService<ApiClientRegistry>()
            .CreateAsync("Docs " + Guid.NewGuid().ToString("N")[..8], ApiScopes.All, "docs-admin@test.local", default);
        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/api-reference/");
        keyed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client!.Secret);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(keyed)).StatusCode);

        var staff = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await StaffLogin.PostAsync(staff, DocsApp.AdminEmail, DocsApp.AdminPassword)).StatusCode);
        var page = await staff.GetAsync("/api-reference/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = Regex.Match(csp, "script-src 'self' 'nonce-([^']+)'").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(nonce), "the page's CSP allows its scripts by nonce: " + csp);
        var scripts = ScriptTag().Matches(html);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, s => Assert.Contains($"nonce=\"{nonce}\"", s.Value, StringComparison.Ordinal));
        Assert.DoesNotContain("https://", string.Join("\n", scripts.Select(s => s.Value)), StringComparison.Ordinal); // served from here, no CDN

        // Only that response carries the nonce.
        var other = await staff.GetAsync("/dispatch");
        Assert.DoesNotContain("nonce-", other.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();
}
