using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Sendy.Console.Api;

namespace Sendy.Console.Tests.Api;

/// <summary>
/// Faults under /api are problem details: a database that cannot be reached (a real Npgsql
/// connection to a port where nothing listens) is 503 with Retry-After, anything else a 500 problem.
/// </summary>
public sealed class ApiFaultsTests : IAsyncLifetime
{
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddApiFaults();
        _app = builder.Build();
        _app.UseApiFaults();
        _app.MapGet("/api/v1/down", async () =>
        {
            await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=x;Password=x;Timeout=3");
            await using var connection = await dataSource.OpenConnectionAsync();
            return Results.Ok();
        });
        _app.MapGet("/api/v1/bind", (Guid id) => Results.Ok(id));
        _app.MapGet("/api/v1/bug", string () => throw new InvalidOperationException("a bug"));
        _app.MapGet("/page", string () => throw new InvalidOperationException("a page's bug"));
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private HttpClient Client => _app.GetTestClient();

    [Fact]
    public async Task an_unreachable_database_is_503_with_retry_after()
    {
        var response = await Client.GetAsync("/api/v1/down");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(ApiFaults.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Temporarily unavailable", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task another_failure_is_a_500_problem_and_pages_are_left_to_the_error_page()
    {
        var response = await Client.GetAsync("/api/v1/bug");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("a bug", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal); // no internals leak
        await Assert.ThrowsAsync<InvalidOperationException>(() => Client.GetAsync("/page"));
    }

    [Fact]
    public async Task a_parameter_that_does_not_bind_stays_a_400_problem()
    {
        var response = await Client.GetAsync("/api/v1/bind?id=not-a-guid");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void transient_database_failures_are_told_apart_from_bugs()
    {
        Assert.True(ApiFaults.DatabaseUnavailable(new InvalidOperationException("wrapped", new NpgsqlException("down", new TimeoutException()))));
        Assert.False(ApiFaults.DatabaseUnavailable(new InvalidOperationException("a bug")));
        Assert.False(ApiFaults.DatabaseUnavailable(new PostgresException("duplicate", "ERROR", "ERROR", "23505")));
    }
}
