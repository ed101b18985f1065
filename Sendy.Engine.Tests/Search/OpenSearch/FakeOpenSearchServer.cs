using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendy.Engine.Search.OpenSearch;

namespace Sendy.Engine.Tests.Search.OpenSearch;

/// <summary>A request as the fake cluster received it.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, string? ContentType, string Body, string? Authorization);

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a free port) that records requests and answers them
/// with the script a test queues, like OpenSearch would. Unscripted requests get 500.
/// </summary>
public sealed class FakeOpenSearchServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<ReceivedRequest, (int Status, string Body)>> _answers = new();

    private FakeOpenSearchServer(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public Uri Url { get; private set; } = null!;

    public static async Task<FakeOpenSearchServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        var server = new FakeOpenSearchServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address);
        return server;
    }

    public FakeOpenSearchServer Then(Func<ReceivedRequest, (int Status, string Body)> answer)
    {
        _answers.Enqueue(answer);
        return this;
    }

    public FakeOpenSearchServer Then(int status, string body) => Then(_ => (status, body));

    /// <summary>A client of this server with the given options (Url filled in), without DI.</summary>
    public OpenSearchClient Client(OpenSearchOptions? options = null, HttpMessageHandler? handler = null)
    {
        options ??= new OpenSearchOptions();
        options.Enabled = true;
        options.Url = Url.ToString();
        var http = new HttpClient(handler ?? new SocketsHttpHandler()) { BaseAddress = Url, Timeout = options.RequestTimeout };
        return new OpenSearchClient(http, Options.Create(options));
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var request = new ReceivedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.ContentType,
            await reader.ReadToEndAsync(),
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null);
        Received.Enqueue(request);
        (int status, string body) = _answers.TryDequeue(out var answer) ? answer(request) : (500, """{"error":"no scripted answer"}""");
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
