using Npgsql;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Storage;

/// <summary>
/// LISTENs on a PostgreSQL channel until cancelled, reconnecting with the common backoff (200 ms
/// doubling up to 10 s) when the database goes away: a node keeps receiving its peers'
/// notifications through outages. <c>onListening</c> runs each time LISTEN is in place, before
/// notifications are read: what was committed before it is in the tables, what after comes as a
/// notification. It failing counts as a lost connection (logged, retried).
/// A connection that went silent (the server's host gone, a NAT or firewall dropping the idle
/// flow) never fails a wait by itself: after <see cref="CheckAfter"/> without a notification the
/// listener asks the server for a trivial answer, and one that does not come within
/// <see cref="CheckTimeoutSeconds"/> counts as a lost connection too.
/// </summary>
public static class PostgresListener
{
    /// <summary>How long a listening connection may stay quiet before it is checked.</summary>
    public static readonly TimeSpan CheckAfter = TimeSpan.FromSeconds(30);

    /// <summary>How long the check's answer may take (PostgreSQL answers "SELECT 1" at once when the connection is alive).</summary>
    public const int CheckTimeoutSeconds = 10;

    public static async Task ListenAsync(NpgsqlDataSource dataSource, string channel, Action<string> onPayload,
        Action<double, Exception> onConnectionLost, TimeProvider time, CancellationToken stoppingToken, Func<CancellationToken, Task>? onListening = null,
        TimeSpan? checkAfter = null, int checkTimeoutSeconds = CheckTimeoutSeconds)
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
                if (onListening is not null) await onListening(stoppingToken);
                backoff.Reset();
                while (true)
                {
                    if (await connection.WaitAsync(checkAfter ?? CheckAfter, stoppingToken)) continue;
                    await using var check = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = checkTimeoutSeconds };
                    await check.ExecuteScalarAsync(stoppingToken);
                }
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
