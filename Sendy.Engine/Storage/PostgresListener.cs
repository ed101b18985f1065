using Npgsql;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Storage;

/// <summary>
/// LISTENs on a PostgreSQL channel until cancelled, reconnecting with the common backoff (200 ms
/// doubling up to 10 s) when the database goes away: a node keeps receiving its peers'
/// notifications through outages.
/// </summary>
public static class PostgresListener
{
    public static async Task ListenAsync(NpgsqlDataSource dataSource, string channel, Action<string> onPayload,
        Action<double, Exception> onConnectionLost, TimeProvider time, CancellationToken stoppingToken, Action? onListening = null)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == channel) onPayload(e.Payload);
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                onListening?.Invoke();
                backoff.Reset();
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var delay = backoff.Next();
                onConnectionLost(delay.TotalMilliseconds, ex);
                await Task.Delay(delay, time, stoppingToken);
            }
        }
    }
}
