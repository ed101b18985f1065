using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Sendy.Engine.Resilience;

/// <summary>
/// The one whole-request HTTP retry (Microsoft.Extensions.Http.Resilience): a transient failure
/// (connection refused or reset, timeout, 408, 429, 5xx) is retried twice, after about 200 ms and
/// 400 ms with jitter, and only for a request that is safe to repeat: GET, HEAD, OPTIONS, PUT and
/// DELETE, or a POST its sender marked with <see cref="MarkIdempotent"/> because it only reads or
/// the receiver dedupes it. Everything else fails at once to its caller, whose own loop (the shard
/// consumer, the stream writer's refused records, a Hangfire job, the bulk indexer's throttled
/// items) already retries: no call gets two retry layers.
/// </summary>
public static class HttpRetry
{
    private static readonly HttpRequestOptionsKey<bool> Idempotent = new("Sendy.Idempotent");

    public const int MaxRetries = 2;

    /// <summary>Marks a POST that only reads or that the receiver dedupes, so a transient failure may repeat it.</summary>
    public static HttpRequestMessage MarkIdempotent(this HttpRequestMessage request)
    {
        request.Options.Set(Idempotent, true);
        return request;
    }

    public static bool IsIdempotent(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
        || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete
        || (request.Options.TryGetValue(Idempotent, out var marked) && marked);

    /// <summary>Adds the retry as the outermost handler: call it before handlers that must run on every attempt (SigV4 signing).</summary>
    public static IHttpClientBuilder AddIdempotentRetry(this IHttpClientBuilder builder, TimeSpan? firstDelay = null)
    {
        builder.AddResilienceHandler("idempotent-retry", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = firstDelay ?? TimeSpan.FromMilliseconds(200),
            ShouldHandle = args => ValueTask.FromResult(
                args.Context.GetRequestMessage() is { } request && IsIdempotent(request)
                && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
        }));
        return builder;
    }
}
