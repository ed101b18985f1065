using Npgsql;

namespace Sendy.Engine.Storage;

/// <summary>
/// LISTENs on a PostgreSQL channel until cancelled, reconnecting with doubling backoff (up to 10 s)
/// when the database goes away: a node keeps receiving its peers' notifications through outages.
/// </summary>
public static class PostgresListener
{
    public static async Task ListenAsync(NpgsqlDataSource dataSource, string channel, Action<string> onPayload,
        Action<double, Exception> onConnectionLost, TimeProvider time, CancellationToken stoppingToken, Action? onListening = null)
    {
        var delay = TimeSpan.FromMilliseconds(200);
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
                delay = TimeSpan.FromMilliseconds(200);
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                onConnectionLost(delay.TotalMilliseconds, ex);
                await Task.Delay(delay, time, stoppingToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 10_000));
            }
        }
    }
}
