using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.Integrations.Webhooks;

/// <summary>What one attempt came to: delivered (a 2xx answer) or why not.</summary>
public sealed record WebhookSendResult(bool Delivered, int? StatusCode, TimeSpan Latency, string? Error);

/// <summary>
/// Posts one signed message. The HTTP client (<see cref="WebhooksServiceCollectionExtensions"/>)
/// connects only to allowed addresses (<see cref="WebhookTargets.ConnectAsync"/>) and follows no
/// redirect (a 3xx is a failure: a redirect must not lead past the address check). Each attempt
/// has <see cref="WebhookOptions.Timeout"/> for everything, and at most
/// <see cref="WebhookOptions.MaxResponseBytes"/> of the answer is read.
/// </summary>
public sealed class WebhookSender(HttpClient http, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string HttpClientName = "sendy-webhooks";

    public async Task<WebhookSendResult> SendAsync(string url, string messageId, string body, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (WebhookTargets.Check(url, o.AllowHttp, o.IsHostAllowed) is { } problem)
            return new WebhookSendResult(false, null, TimeSpan.Zero, $"The URL is refused ({problem}); nothing was sent.");
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSigner.Header(secrets, messageId, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Sendy-Webhooks", "1"));

        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(o.Timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, either.Token);
            var head = await ReadHeadAsync(response, o.MaxResponseBytes, either.Token);
            var latency = Stopwatch.GetElapsedTime(started);
            var code = (int)response.StatusCode;
            return code switch
            {
                >= 200 and < 300 => new WebhookSendResult(true, code, latency, null),
                >= 300 and < 400 => new WebhookSendResult(false, code, latency, $"HTTP {code}: redirect to {response.Headers.Location} not followed"),
                _ => new WebhookSendResult(false, code, latency, Clip($"HTTP {code}: {head}")),
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new WebhookSendResult(false, null, Stopwatch.GetElapsedTime(started), $"No answer within {o.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            var refused = ex.InnerException as WebhookTargetRefusedException ?? ex.InnerException?.InnerException as WebhookTargetRefusedException;
            return new WebhookSendResult(false, null, Stopwatch.GetElapsedTime(started), Clip(refused?.Message ?? Describe(ex)));
        }
    }

    /// <summary>Reads at most <paramref name="max"/> bytes of the answer (the rest is never read); the first 300 are kept for the attempt log.</summary>
    private static async Task<string> ReadHeadAsync(HttpResponseMessage response, int max, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int read = 0, n;
            while (read < max && (n = await stream.ReadAsync(buffer.AsMemory(read, max - read), cancellationToken)) > 0)
                read += n;
            return Encoding.UTF8.GetString(buffer, 0, Math.Min(read, 300)).ReplaceLineEndings(" ").Trim();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string Describe(Exception ex) => ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;

    private static string Clip(string s) => s.Length <= 500 ? s : s[..500];
}
