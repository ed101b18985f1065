using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
/// with the script a test queues, like OpenSearch would. Once a test has given it indices
/// (<see cref="WithIndices"/>), an unscripted _cat/indices or index DELETE is answered from them
/// as OpenSearch does; other unscripted requests get 500.
/// </summary>
public sealed class FakeOpenSearchServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<ReceivedRequest, (int Status, string Body)>> _answers = new();

    private readonly ConcurrentDictionary<string, bool> _indices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _failingDeletes = new(StringComparer.Ordinal);
    private volatile bool _holdsIndices;

    private FakeOpenSearchServer(WebApplication app) => _app = app;

    /// <summary>The indices the fake cluster holds now, sorted.</summary>
    public IReadOnlyList<string> Indices => [.. _indices.Keys.Order(StringComparer.Ordinal)];

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

    /// <summary>
    /// Holds these indices: <c>GET /_cat/indices/{patterns}?format=json</c> lists the matching ones as
    /// <c>[{"index": …}]</c> (<c>[]</c> when a wildcard matches none, 404 for a missing concrete name),
    /// <c>DELETE /{index}</c> removes one (<c>{"acknowledged":true}</c>, or 404 index_not_found_exception).
    /// </summary>
    public FakeOpenSearchServer WithIndices(params string[] names)
    {
        foreach (string name in names)
        {
            _indices[name] = true;
        }

        _holdsIndices = true;
        return this;
    }

    /// <summary>Answers every DELETE of this index with the given status and body instead, and keeps the index.</summary>
    public FakeOpenSearchServer FailDeleteOf(string index, int status, string body)
    {
        _failingDeletes[index] = (status, body);
        return this;
    }

    /// <summary>OpenSearch's answer to a request for an index it does not hold.</summary>
    public static string IndexNotFound(string index) => new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["root_cause"] = new JsonArray(new JsonObject
            {
                ["type"] = "index_not_found_exception",
                ["reason"] = $"no such index [{index}]",
                ["index"] = index,
                ["resource.id"] = index,
                ["resource.type"] = "index_or_alias",
                ["index_uuid"] = "_na_",
            }),
            ["type"] = "index_not_found_exception",
            ["reason"] = $"no such index [{index}]",
            ["index"] = index,
            ["resource.id"] = index,
            ["resource.type"] = "index_or_alias",
            ["index_uuid"] = "_na_",
        },
        ["status"] = 404,
    }.ToJsonString();

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
        (int status, string body) = _answers.TryDequeue(out var answer) ? answer(request)
            : (_holdsIndices ? FromIndices(context.Request.Method, context.Request.Path.Value ?? "/") : null) ?? (500, """{"error":"no scripted answer"}""");
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(body);
    }

    private (int Status, string Body)? FromIndices(string method, string path)
    {
        const string Cat = "/_cat/indices/";
        if (method == "GET" && path.StartsWith(Cat, StringComparison.Ordinal))
        {
            var rows = new JsonArray();
            foreach (string pattern in path[Cat.Length..].Split(','))
            {
                if (!pattern.Contains('*', StringComparison.Ordinal) && !_indices.ContainsKey(pattern))
                {
                    return (404, IndexNotFound(pattern));
                }

                var glob = new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$");
                foreach (string index in Indices.Where(i => glob.IsMatch(i)))
                {
                    rows.Add(new JsonObject { ["index"] = index });
                }
            }

            return (200, rows.ToJsonString());
        }

        if (method == "DELETE" && path.Length > 1 && path.IndexOf('/', 1) < 0)
        {
            string index = path[1..];
            if (_failingDeletes.TryGetValue(index, out var failure))
            {
                return failure;
            }

            return _indices.TryRemove(index, out _) ? (200, """{"acknowledged":true}""") : (404, IndexNotFound(index));
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
