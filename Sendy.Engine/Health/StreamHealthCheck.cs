using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Sendy.Engine.Streams;

namespace Sendy.Engine.Health;

/// <summary>
/// Ready only when the stream answers ListShards. One call per <see cref="HealthOptions.StreamCheckCacheFor"/>
/// at most, however many probes arrive: concurrent probes share the call in flight, later ones
/// reuse its answer (healthy or not) until it is older than that.
/// </summary>
public sealed class StreamHealthCheck(IShardReader reader, TimeProvider time, IOptions<HealthOptions> options) : IHealthCheck
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (HealthCheckResult Result, long At)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (Fresh() is { } cached) return cached;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } answeredMeanwhile) return answeredMeanwhile;
            var result = await AskAsync(cancellationToken);
            _last = (result, time.GetTimestamp());
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private HealthCheckResult? Fresh() =>
        _last is { } last && time.GetElapsedTime(last.At) < options.Value.StreamCheckCacheFor ? last.Result : null;

    private async Task<HealthCheckResult> AskAsync(CancellationToken cancellationToken)
    {
        try
        {
            var shards = await reader.ListShardsAsync(cancellationToken);
            return shards.Count > 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("stream has no shards");
        }
        catch (StreamException ex)
        {
            return HealthCheckResult.Unhealthy($"stream unreachable: {ex.Message}", ex);
        }
    }
}
