using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Sendy.Engine.Streams;

namespace Sendy.Engine.Health;

/// <summary>Ready only when PostgreSQL answers.</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL unreachable", ex);
        }
    }
}

/// <summary>Ready only when the stream answers ListShards.</summary>
public sealed class StreamHealthCheck(IShardReader reader) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
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
