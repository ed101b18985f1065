using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sendy.Engine.Integrations.Webhooks;

namespace Sendy.Engine.Tests.Integrations;

/// <summary>A webhook as the receiver got it: its headers, its body, and whether a known secret signed it.</summary>
public sealed record ReceivedWebhook(string? Id, string? Timestamp, string? Signature, string Body, bool Verified, WebhookPayload? Payload)
{
    /// <summary>When it arrived, on the receiver's clock.</summary>
    public DateTimeOffset At { get; init; }
}

/// <summary>
/// A real webhook receiver: Kestrel on 127.0.0.1 (a free port) that checks every request's
/// Standard Webhooks signature against the secrets it was given (<see cref="WebhookSigner.Verify"/>,
/// with the test's clock), records it, and answers what <see cref="Answer"/> says (200 by default).
/// <see cref="Delivered"/> dedupes on <c>webhook-id</c>, as the spec asks receivers to.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<DateTimeOffset> _now;

    private WebhookReceiver(WebApplication app, Func<DateTimeOffset> now) => (_app, _now) = (app, now);

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Secrets the signature may be made with (any one of them verifies it).</summary>
    public List<string> Secrets { get; } = [];

    /// <summary>The status (and body) to answer a request with; the request is recorded either way.</summary>
    public Func<ReceivedWebhook, (int Status, string Body)> Answer { get; set; } = _ => (200, "ok");

    /// <summary>While set and not completed, requests hang before they are answered (a receiver that stopped answering).</summary>
    public TaskCompletionSource? Hold { get; set; }

    public string Url { get; private set; } = "";

    /// <summary>What the receiver accepted (answered 2xx), once per webhook-id, in the order it came.</summary>
    public IReadOnlyList<ReceivedWebhook> Delivered => [.. _accepted.DistinctBy(r => r.Id)];

    /// <summary>Every request answered 2xx, duplicates included (a message sent again after it was accepted shows here twice).</summary>
    public IReadOnlyList<ReceivedWebhook> Accepted => [.. _accepted];

    private readonly ConcurrentQueue<ReceivedWebhook> _accepted = new();

    public static async Task<WebhookReceiver> StartAsync(Func<DateTimeOffset> now)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, now);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hooks";
        return receiver;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
        string? H(string name) => http.Request.Headers.TryGetValue(name, out var v) ? v.ToString() : null;
        var (id, ts, sig) = (H("webhook-id"), H("webhook-timestamp"), H("webhook-signature"));
        var verified = Secrets.ToArray().Any(s => WebhookSigner.Verify(s, id, ts, sig, body, _now()));
        WebhookPayload? payload = null;
        try { payload = WebhookPayloads.Parse(body); } catch (System.Text.Json.JsonException) { }
        var received = new ReceivedWebhook(id, ts, sig, body, verified, payload) { At = _now() };
        Received.Enqueue(received);
        if (Hold is { } hold)
        {
            try { await hold.Task.WaitAsync(http.RequestAborted); }
            catch (OperationCanceledException) { return; } // the sender gave up on us
        }
        var (status, answer) = Answer(received);
        if (status is >= 200 and < 300) _accepted.Enqueue(received);
        http.Response.StatusCode = status;
        if (status is >= 300 and < 400) http.Response.Headers.Location = "http://169.254.169.254/latest/meta-data/";
        await http.Response.WriteAsync(answer);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
