using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Sendy.Engine.Search;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Notifications;

/// <summary>
/// One notification for one outbox row. Exactly once per (outbox row, channel): the outbox row is
/// locked for the duration (two runs of the same job take turns), <c>notifications_sent</c> is
/// checked first and written in the same transaction as the send is acknowledged. The one gap
/// left is a crash after the provider accepted and before that commit: then the retry sends again,
/// with the same idempotency key (the email's Message-Id), so receivers can tell.
/// </summary>
public sealed partial class NotificationJob(IDbContextFactory<SendyDbContext> contexts, NotificationSender sender,
    TimeProvider time, ILogger<NotificationJob> logger)
{
    /// <summary>Transient failures retry after 10 s, 30 s, 90 s, 4.5 min, 13.5 min, 40 min; then the job is Failed in the dashboard. Rejections fail at once.</summary>
    [AutomaticRetry(Attempts = 6, DelaysInSeconds = [10, 30, 90, 270, 810, 2430], OnAttemptsExceeded = AttemptsExceededAction.Fail,
        ExceptOn = [typeof(NotificationRejectedException), typeof(SearchRejectedException)])]
    [JobDisplayName("Notify: outbox {0}")]
    public async Task RunAsync(long outboxId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await db.Outbox.FromSql($"SELECT * FROM notification_outbox WHERE id = {outboxId} FOR UPDATE")
            .AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            LogMissing(logger, outboxId);
            return;
        }
        if (await db.NotificationsSent.AnyAsync(s => s.OutboxId == outboxId && s.Channel == row.Channel, cancellationToken))
        {
            LogAlreadySent(logger, outboxId, row.Channel);
            return;
        }

        var result = await sender.SendAsync(db, row, cancellationToken);
        db.NotificationsSent.Add(new NotificationSent { OutboxId = outboxId, Channel = row.Channel, SentAt = time.GetUtcNow(), Result = result });
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        LogSent(logger, row.Channel, outboxId, result);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification job: outbox row {OutboxId} no longer exists")]
    private static partial void LogMissing(ILogger logger, long outboxId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification job: {Channel} for outbox row {OutboxId} was already sent; nothing to do")]
    private static partial void LogAlreadySent(ILogger logger, long outboxId, string channel);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {Channel} for outbox row {OutboxId}: {Result}")]
    private static partial void LogSent(ILogger logger, string channel, long outboxId, string result);
}
