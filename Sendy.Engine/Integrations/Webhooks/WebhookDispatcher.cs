using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.Resilience;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Integrations.Webhooks;

/// <summary>
/// Sends webhook messages. Every node may run one; they share the work through leases: a claim
/// takes due messages (<see cref="WebhookMessage.NextAttemptAt"/> passed, no live lease) of enabled
/// endpoints, at most <see cref="WebhookOptions.PerEndpointConcurrency"/> per endpoint, and leases
/// them for longer than an attempt can take. Only the oldest pending message of an endpoint and
/// delivery is ever due, so one delivery's events arrive in order while other deliveries' go on.
/// After an attempt, in one transaction that holds the delivery's row (so no new event of it is
/// queued meanwhile): the attempt is recorded; the message is delivered, retried later
/// (<see cref="RetryDelay"/>, doubling) or given up <see cref="WebhookOptions.GiveUpAfter"/> after its turn came;
/// and when it is no longer pending, the next one of its delivery becomes due. An endpoint's first
/// success after failures makes its backed-off messages due at once (the receiver is back); an
/// endpoint without a success for <see cref="WebhookOptions.DisableAfter"/> is disabled and the
/// admins told (<see cref="WebhookAlerts"/>).
/// An endpoint that is down (failing for <see cref="DownAfter"/> without one success) is only
/// probed: one message at a time, at most every <see cref="ProbeInterval"/> per node, instead of
/// every delivery's head message on its own backoff; the probe's success brings the rest at once.
/// Upkeep (disabling, forgetting, giving up what a down endpoint could not take in time,
/// unsticking queues) runs beside the claims, never in their way.
/// </summary>
public sealed partial class WebhookDispatcher(
    NpgsqlDataSource dataSource,
    WebhookSender sender,
    WebhookSecrets secrets,
    WebhookAlerts alerts,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const string Claim = """
        WITH picked AS (
            SELECT m.id
            FROM webhook_endpoints e
            JOIN api_clients c ON c.id = e.api_client_id AND c.revoked_at IS NULL
            CROSS JOIN LATERAL (SELECT COALESCE((SELECT b.n FROM unnest($5::uuid[], $6::int[]) AS b(id, n) WHERE b.id = e.id), 0) AS n) busy
            CROSS JOIN LATERAL (
                SELECT m.id FROM webhook_messages m
                WHERE m.endpoint_id = e.id AND m.state = 'Pending' AND m.next_attempt_at <= $1
                  AND (m.lease_until IS NULL OR m.lease_until <= $1)
                ORDER BY m.next_attempt_at, m.id
                LIMIT CASE WHEN e.failing_since <= $8 THEN CASE WHEN busy.n > 0 OR e.id = ANY($7) THEN 0 ELSE 1 END
                           ELSE GREATEST(0, $4 - busy.n) END
                FOR UPDATE OF m SKIP LOCKED
            ) m
            WHERE e.enabled
            LIMIT $2
        )
        UPDATE webhook_messages m SET lease_until = $3, attempts = m.attempts + 1
        FROM picked, webhook_endpoints e
        WHERE m.id = picked.id AND e.id = m.endpoint_id
        RETURNING m.id, m.message_id, m.endpoint_id, m.delivery_id, m.payload, m.attempts, COALESCE(m.due_since, m.created_at), m.lease_until,
                  e.url, e.secret_protected, e.previous_secret_protected, e.previous_secret_expires_at, e.failing_since
        """;

    private const string HoldDelivery = "SELECT 1 FROM deliveries WHERE id = $1 FOR SHARE";

    private const string RecordAttempt = """
        INSERT INTO webhook_attempts (message_id, attempted_at, status_code, latency_ms, error) VALUES ($1, $2, $3, $4, $5)
        """;

    /// <summary>$2 state, $3 next attempt, $4 error, $5 delivered at; only while this claim's lease ($6) is the message's.</summary>
    private const string Settle = """
        UPDATE webhook_messages SET state = $2, next_attempt_at = $3, last_error = $4, delivered_at = COALESCE($5, delivered_at), lease_until = NULL
        WHERE id = $1 AND lease_until = $6 AND state = 'Pending'
        """;

    /// <summary>When message $4 is no longer pending, the next pending one of its endpoint and delivery becomes due.</summary>
    private const string PromoteNext = """
        UPDATE webhook_messages SET next_attempt_at = $3, due_since = $3
        WHERE id = (SELECT id FROM webhook_messages WHERE endpoint_id = $1 AND delivery_id = $2 AND state = 'Pending' ORDER BY sequence LIMIT 1)
          AND next_attempt_at IS NULL
          AND EXISTS (SELECT 1 FROM webhook_messages done WHERE done.id = $4 AND done.state <> 'Pending')
        """;

    /// <summary>A success: the endpoint is healthy; if it had failed without a success since before $3, it was down and is back, so its backed-off messages go now.</summary>
    private const string Healthy = """
        WITH before AS (SELECT failing_since FROM webhook_endpoints WHERE id = $1 AND failing_since IS NOT NULL FOR NO KEY UPDATE),
             back AS (UPDATE webhook_endpoints e SET failing_since = NULL FROM before WHERE e.id = $1 RETURNING before.failing_since)
        UPDATE webhook_messages m SET next_attempt_at = $2
        FROM back WHERE back.failing_since <= $3 AND m.endpoint_id = $1 AND m.state = 'Pending' AND m.next_attempt_at > $2
        """;

    /// <summary>
    /// Failing this long without one success means the receiver was down (not refusing a message
    /// now and then while others pass): its first success then brings its backed-off messages forward.
    /// </summary>
    public static readonly TimeSpan DownAfter = TimeSpan.FromMinutes(1);

    /// <summary>A down endpoint (<see cref="DownAfter"/>) gets one message at most this often from each node.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(5);

    /// <summary>The dispatcher claims at most this often (a wake-up in between waits for the rest of it).</summary>
    public static readonly TimeSpan MinClaimInterval = TimeSpan.FromMilliseconds(10);

    private const string Failing = """
        UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1 AND enabled
        """;

    private const string Disable = """
        UPDATE webhook_endpoints e SET enabled = false, disabled_at = $2, disabled_reason = 'No successful delivery since ' || to_char(e.failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
        WHERE e.enabled AND e.failing_since <= $1
        RETURNING e.id
        """;

    /// <summary>Messages are kept <see cref="WebhookOptions.KeepFor"/>, whatever became of them (a disabled endpoint's too).</summary>
    private const string Forget = """
        DELETE FROM webhook_messages WHERE id IN (
            SELECT id FROM webhook_messages WHERE created_at < $1 ORDER BY created_at LIMIT 5000)
        """;

    /// <summary>
    /// A down endpoint is only probed, so its queued heads are not attempted one by one: those whose
    /// turn came longer than <see cref="WebhookOptions.GiveUpAfter"/> ago are given up here, as a
    /// failing attempt would have (the next of their delivery then goes, see <see cref="Unstick"/>).
    /// </summary>
    private const string GiveUpWhileDown = """
        UPDATE webhook_messages m SET state = 'GivenUp', next_attempt_at = NULL, lease_until = NULL,
               last_error = 'Given up: the endpoint was down for the whole retry window (failing since ' || to_char(e.failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') || ')'
        FROM webhook_endpoints e
        WHERE e.id = m.endpoint_id AND e.failing_since <= $2 AND m.state = 'Pending' AND m.next_attempt_at IS NOT NULL
          AND COALESCE(m.due_since, m.created_at) <= $1 AND (m.lease_until IS NULL OR m.lease_until <= $3)
        """;

    /// <summary>
    /// A safety net for the queues: a waiting message with nothing pending before it (its
    /// predecessor was forgotten, or a writer died between settling and promoting) becomes due.
    /// </summary>
    public const string Unstick = """
        UPDATE webhook_messages m SET next_attempt_at = $1, due_since = $1
        WHERE m.state = 'Pending' AND m.next_attempt_at IS NULL AND ($2::uuid IS NULL OR m.endpoint_id = $2)
          AND NOT EXISTS (SELECT 1 FROM webhook_messages p
                          WHERE p.endpoint_id = m.endpoint_id AND p.delivery_id = m.delivery_id AND p.state = 'Pending' AND p.sequence < m.sequence)
        """;

    private readonly ConcurrentDictionary<Guid, int> _inFlight = new();

    /// <summary>Down endpoints and when this node may probe them next.</summary>
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _resting = new();
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>The wait after <paramref name="failures"/> failed attempts: the project's one backoff (doubling, jittered).</summary>
    public TimeSpan RetryDelay(int failures) => Backoff.Delay(options.Value.FirstRetryDelay, options.Value.MaxRetryDelay, failures - 1);

    /// <summary>One pass for tests and tools: claims what is due now, sends it all, records the outcomes; returns how many were sent.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(options.Value.Concurrency, cancellationToken);
        await Task.WhenAll(claimed.Select(m => SendAndSettleAsync(m, cancellationToken)));
        return claimed.Count;
    }

    /// <summary>Disables endpoints failing for too long, forgets old messages, gives up what down endpoints could not take in time and unsticks queues; returns the endpoints disabled.</summary>
    public async Task<IReadOnlyList<Guid>> MaintainAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var disabled = new List<Guid>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var disable = new NpgsqlCommand(Disable, connection) { Parameters = { P(now - options.Value.DisableAfter), P(now) } })
        await using (var reader = await disable.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) disabled.Add(reader.GetGuid(0));
        await using (var forget = new NpgsqlCommand(Forget, connection) { Parameters = { P(now - options.Value.KeepFor) } })
            await forget.ExecuteNonQueryAsync(cancellationToken);
        await using (var giveUp = new NpgsqlCommand(GiveUpWhileDown, connection) { Parameters = { P(now - options.Value.GiveUpAfter), P(now - DownAfter), P(now) } })
            await giveUp.ExecuteNonQueryAsync(cancellationToken);
        await using (var unstick = new NpgsqlCommand(Unstick, connection) { Parameters = { P(now), new NpgsqlParameter<Guid?> { TypedValue = null } } })
            await unstick.ExecuteNonQueryAsync(cancellationToken);
        foreach (var id in disabled)
        {
            LogDisabled(id);
            await alerts.EndpointDisabledAsync(id, cancellationToken);
        }
        return disabled;
    }

    private sealed record Claimed(long Id, string MessageId, Guid EndpointId, Guid DeliveryId, string Payload, int Attempts, DateTimeOffset DueSince,
        DateTimeOffset Lease, string Url, string Secret, string? PreviousSecret, DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset? FailingSince);

    private async Task<List<Claimed>> ClaimAsync(int limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var busy = _inFlight.Where(kv => kv.Value > 0).ToArray();
        // A down endpoint gets one message when nothing of it is in flight and its probe is due here;
        // once any node saw it succeed (or an admin enabled it again) it is not down any more.
        foreach (var (endpoint, probeAt) in _resting)
            if (now - probeAt > options.Value.MaxRetryDelay) _resting.TryRemove(endpoint, out _); // nothing was due for it since, or it is gone
        var resting = _resting.Where(kv => kv.Value > now).Select(kv => kv.Key).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var claim = new NpgsqlCommand(Claim, connection)
        {
            Parameters =
            {
                P(now), new() { Value = limit }, P(now + options.Value.Lease), new() { Value = options.Value.PerEndpointConcurrency },
                new NpgsqlParameter<Guid[]> { TypedValue = [.. busy.Select(b => b.Key)] },
                new NpgsqlParameter<int[]> { TypedValue = [.. busy.Select(b => b.Value)] },
                new NpgsqlParameter<Guid[]> { TypedValue = resting }, P(now - DownAfter),
            },
        };
        var claimed = new List<Claimed>();
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            claimed.Add(new Claimed(reader.GetInt64(0), reader.GetString(1), reader.GetGuid(2), reader.GetGuid(3), reader.GetString(4), reader.GetInt32(5),
                reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetString(8), reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
                reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12)));
        foreach (var m in claimed) _inFlight.AddOrUpdate(m.EndpointId, 1, (_, n) => n + 1);
        return claimed;
    }

    private async Task SendAndSettleAsync(Claimed m, CancellationToken cancellationToken)
    {
        try
        {
            var attemptedAt = time.GetUtcNow();
            WebhookSendResult result;
            try
            {
                var signing = secrets.SigningSecrets(m.Secret, m.PreviousSecret, m.PreviousSecretExpiresAt, attemptedAt);
                result = await sender.SendAsync(m.Url, m.MessageId, m.Payload, signing, cancellationToken);
            }
            catch (System.Security.Cryptography.CryptographicException ex)
            {
                result = new WebhookSendResult(false, null, TimeSpan.Zero, "The endpoint's secret cannot be decrypted on this node (is the key ring shared?): " + ex.Message);
            }
            await SettleAsync(m, attemptedAt, result, cancellationToken);
            if (result.Delivered) _resting.TryRemove(m.EndpointId, out _);
            else if (m.FailingSince is { } since && attemptedAt - since >= DownAfter) _resting[m.EndpointId] = time.GetUtcNow() + ProbeInterval;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the lease runs out and a node sends it again (receivers dedupe on webhook-id).
        }
        catch (Exception ex)
        {
            LogSettleFailed(m.MessageId, ex); // the lease runs out and it is sent again
        }
        finally
        {
            _inFlight.AddOrUpdate(m.EndpointId, 0, (_, n) => Math.Max(0, n - 1));
        }
    }

    private async Task SettleAsync(Claimed m, DateTimeOffset attemptedAt, WebhookSendResult result, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var o = options.Value;
        WebhookMessageState state;
        DateTimeOffset? next = null;
        if (result.Delivered) state = WebhookMessageState.Delivered;
        else if (now - m.DueSince >= o.GiveUpAfter) state = WebhookMessageState.GivenUp;
        else
        {
            state = WebhookMessageState.Pending;
            var retryAt = now + RetryDelay(m.Attempts);
            var last = m.DueSince + o.GiveUpAfter; // one last try when the retry window ends
            next = retryAt < last ? retryAt : last;
        }

        // One round trip, one (implicit) transaction: hold the delivery so none of its new events is
        // queued meanwhile, record the attempt, settle the message, and let the next one of its
        // delivery go when this one is done.
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command(HoldDelivery, new NpgsqlParameter { Value = m.DeliveryId }));
        batch.BatchCommands.Add(Command(RecordAttempt, new NpgsqlParameter { Value = m.Id }, P(attemptedAt),
            new NpgsqlParameter { Value = (object?)result.StatusCode ?? DBNull.Value },
            new NpgsqlParameter { Value = (int)Math.Min(int.MaxValue, result.Latency.TotalMilliseconds) },
            new NpgsqlParameter { Value = (object?)result.Error ?? DBNull.Value }));
        batch.BatchCommands.Add(Command(Settle, new NpgsqlParameter { Value = m.Id }, new NpgsqlParameter { Value = state.ToString() },
            new NpgsqlParameter { Value = next is { } n ? n.ToUniversalTime() : DBNull.Value }, new NpgsqlParameter { Value = (object?)result.Error ?? DBNull.Value },
            new NpgsqlParameter { Value = state == WebhookMessageState.Delivered ? now.ToUniversalTime() : DBNull.Value }, P(m.Lease)));
        batch.BatchCommands.Add(Command(PromoteNext, new NpgsqlParameter { Value = m.EndpointId }, new NpgsqlParameter { Value = m.DeliveryId }, P(now),
            new NpgsqlParameter { Value = m.Id }));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        if (state == WebhookMessageState.GivenUp) LogGivenUp(m.MessageId, m.EndpointId, m.Attempts);

        // The endpoint's health on its own, after the settling committed: a transaction that held
        // the delivery and messages while it waited for the endpoint's row could deadlock with
        // status changes (their new messages' foreign key holds the endpoint) and other settlings.
        // Written only when it changes as far as the claim saw it (the common case, a healthy
        // endpoint's success, costs nothing more).
        if (result.Delivered)
        {
            if (m.FailingSince is null) return;
            await using var healthy = dataSource.CreateCommand(Healthy);
            healthy.Parameters.Add(new NpgsqlParameter { Value = m.EndpointId });
            healthy.Parameters.Add(P(now));
            healthy.Parameters.Add(P(now - DownAfter));
            await healthy.ExecuteNonQueryAsync(cancellationToken);
            return;
        }
        if (m.FailingSince is { } known)
        {
            if (now - known >= o.DisableAfter) await MaintainAsync(cancellationToken);
            return;
        }
        await using var failing = dataSource.CreateCommand(Failing);
        failing.Parameters.Add(new NpgsqlParameter { Value = m.EndpointId });
        failing.Parameters.Add(P(now));
        await failing.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<DateTimeOffset> P(DateTimeOffset at) => new() { TypedValue = at.ToUniversalTime() };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var listening = PostgresListener.ListenAsync(dataSource, WebhookOutbox.WakeChannel, _ => Wake(),
            (delayMs, ex) => LogListenerLost(delayMs, ex), time, stoppingToken);
        using var slots = new SemaphoreSlim(o.Concurrency);
        var sends = new ConcurrentDictionary<Task, bool>();
        var backoff = new Backoff(o.PollInterval, TimeSpan.FromSeconds(30));
        var upkeep = UpkeepAsync(stoppingToken);
        var lastClaim = 0L;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var delay = o.PollInterval;
                try
                {
                    // Completions and NOTIFYs come by the hundred per second under load: one claim
                    // per MinClaimInterval serves them all and spares the database a query each.
                    var since = Stopwatch.GetElapsedTime(lastClaim);
                    if (since < MinClaimInterval) await Task.Delay(MinClaimInterval - since, stoppingToken);
                    lastClaim = Stopwatch.GetTimestamp();
                    var free = slots.CurrentCount;
                    var claimed = free == 0 ? [] : await ClaimAsync(free, stoppingToken);
                    foreach (var m in claimed)
                    {
                        await slots.WaitAsync(stoppingToken);
                        var send = Task.Run(async () =>
                        {
                            try { await SendAndSettleAsync(m, stoppingToken); }
                            finally { slots.Release(); Wake(); } // a slot is free, and the next message of that delivery may be due
                        }, CancellationToken.None);
                        sends[send] = true;
                        _ = send.ContinueWith(t => sends.TryRemove(t, out _), TaskScheduler.Default);
                    }
                    backoff.Reset();
                    if (claimed.Count > 0 && claimed.Count == free) continue; // there may be more due
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    delay = backoff.Next(); // the database is away: messages stay where they are
                    LogClaimFailed(delay.TotalMilliseconds, ex);
                }
                try
                {
                    await _wake.WaitAsync(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            await Task.WhenAll(sends.Keys);
            await upkeep;
            try { await listening; }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        }
    }

    /// <summary>
    /// <see cref="MaintainAsync"/> every minute, beside the claims: with a big backlog its statements
    /// take a while, and the claim loop used to wait for them (a healthy endpoint's latency with it).
    /// </summary>
    private async Task UpkeepAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
        var delay = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, time, stoppingToken);
                await MaintainAsync(stoppingToken);
                backoff.Reset();
                delay = TimeSpan.FromMinutes(1);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                delay = backoff.Next();
                LogUpkeepFailed(delay.TotalMilliseconds, ex);
            }
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook message {MessageId} to endpoint {EndpointId} given up after {Attempts} attempts")]
    private partial void LogGivenUp(string messageId, Guid endpointId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} disabled: no successful delivery for too long")]
    private partial void LogDisabled(Guid endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording webhook message {MessageId}'s attempt failed; its lease runs out and it is sent again")]
    private partial void LogSettleFailed(string messageId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook upkeep failed; next try in {DelayMs:F0} ms")]
    private partial void LogUpkeepFailed(double delayMs, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming webhook messages failed; next try in {DelayMs:F0} ms")]
    private partial void LogClaimFailed(double delayMs, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook wake-up listener lost its connection (polling goes on); reconnecting in {DelayMs:F0} ms")]
    private partial void LogListenerLost(double delayMs, Exception exception);
}
