using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Outbox;
using Sendy.Engine.Notifications;
using Sendy.Engine.Tests.Deliveries;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Deliveries.Outbox;

public sealed class OutboxExactlyOnceTests : DeliveryDatabaseTests
{
    private async Task<Guid> PickedUpAsync()
    {
        var (_, driver, delivery) = await H.DeliveryAsync(DeliveryStatus.EnRouteToPickup);
        await H.ClearOutboxAsync(Db);
        var r = await H.Statuses.ChangeAsync(new StatusChangeRequest(delivery, DeliveryStatus.PickedUp, StatusActor.Driver(driver), "pick-1"), default);
        Assert.Equal(StatusChangeOutcome.Changed, r.Outcome);
        return r.Event!.Id;
    }

    [Fact]
    public async Task the_status_event_and_one_outbox_row_per_enabled_channel_commit_together()
    {
        var eventId = await PickedUpAsync();
        var channels = new List<string>();
        await using (var cmd = Db.DataSource.CreateCommand("SELECT channel FROM notification_outbox WHERE status_event_id = $1 ORDER BY channel"))
        {
            cmd.Parameters.Add(new() { Value = eventId });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) channels.Add(reader.GetString(0));
        }
        Assert.Equal(["email", "sms", "sns-topic"], channels); // search-index is off here
    }

    [Fact]
    public async Task a_crash_between_commit_and_enqueue_loses_nothing_and_each_notification_goes_once()
    {
        await PickedUpAsync();

        // The node dies right after the status commit: its dispatcher never enqueues.
        var crashed = new RecordingJobQueue { FailBeforeEnqueue = 1 };
        await Assert.ThrowsAsync<InvalidOperationException>(() => H.Dispatcher(crashed).DispatchOnceAsync(default));
        Assert.Equal(3, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE enqueued_at IS NULL"));

        // Another node enqueues the first row, then dies before marking it: that row is enqueued twice.
        var halfway = new RecordingJobQueue { FailAfterEnqueueAt = 0 };
        await Assert.ThrowsAsync<InvalidOperationException>(() => H.Dispatcher(halfway).DispatchOnceAsync(default));
        var healthy = new RecordingJobQueue();
        Assert.Equal(3, await H.Dispatcher(healthy).DispatchOnceAsync(default));
        Assert.Equal(0, await H.Dispatcher(new RecordingJobQueue()).DispatchOnceAsync(default));

        var runs = halfway.Enqueued.Concat(healthy.Enqueued).ToList();
        Assert.Equal(4, runs.Count);
        // Every job, twice, partly at the same time: Hangfire may run a job again after a worker dies.
        await Task.WhenAll(runs.Concat(runs).Select(id => Task.Run(() => H.Job().RunAsync(id, default))));

        Assert.Single(H.Sns.Sent, m => m.TopicArn is not null);
        Assert.Single(H.Sns.Sent, m => m.PhoneNumber == "+821012345678");
        Assert.Single(H.Email.Sent);
        Assert.Equal(3, await Db.ScalarAsync<long>("SELECT count(*) FROM notifications_sent"));
    }

    [Fact]
    public async Task a_transient_failure_sends_nothing_and_the_retry_sends_once()
    {
        await PickedUpAsync();
        var queue = new RecordingJobQueue();
        await H.Dispatcher(queue).DispatchOnceAsync(default);
        var emailRow = await Db.ScalarAsync<long>("SELECT id FROM notification_outbox WHERE channel = 'email' AND enqueued_at IS NOT NULL ORDER BY id DESC LIMIT 1");
        H.Email.FailNext(new NotificationTransientException("SMTP 451"));

        await Assert.ThrowsAsync<NotificationTransientException>(() => H.Job().RunAsync(emailRow, default));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM notifications_sent WHERE outbox_id = $1", emailRow));

        await H.Job().RunAsync(emailRow, default);
        await H.Job().RunAsync(emailRow, default);
        var mail = Assert.Single(H.Email.Sent);
        Assert.Equal("customer@example.test", mail.To);
        Assert.Contains("상차 완료", mail.Subject);
        Assert.Contains("http://sendy.test/t/", mail.TextBody);
    }

    [Fact]
    public async Task an_internal_note_never_reaches_the_customer_but_a_failure_reason_does()
    {
        var (_, driver, delivery) = await H.DeliveryAsync(DeliveryStatus.InTransit);
        await H.ClearOutboxAsync(Db);
        var arrived = await H.Statuses.ChangeAsync(new StatusChangeRequest(delivery, DeliveryStatus.Arrived, StatusActor.Driver(driver),
            "arrive-1", Note: "gate code 4711, customer rude"), default);
        Assert.Equal(StatusChangeOutcome.Changed, arrived.Outcome);
        var failed = await H.Statuses.ChangeAsync(new StatusChangeRequest(delivery, DeliveryStatus.Failed, StatusActor.Driver(driver),
            "fail-1", Note: "staff only: forklift broke", Reason: "Nobody at the address"), default);
        Assert.Equal(StatusChangeOutcome.Changed, failed.Outcome);
        var queue = new RecordingJobQueue();
        await H.Dispatcher(queue).DispatchOnceAsync(default);
        foreach (var id in queue.Enqueued) await H.Job().RunAsync(id, default);

        Assert.Equal(2, H.Email.Sent.Count);
        var customerTexts = H.Email.Sent.SelectMany(m => new[] { m.Subject, m.HtmlBody, m.TextBody })
            .Concat(H.Sns.Sent.Select(m => m.Message)).ToList();
        Assert.Equal(4, H.Sns.Sent.Count); // topic and SMS for each change
        Assert.DoesNotContain(customerTexts, t => t.Contains("4711", StringComparison.Ordinal) || t.Contains("forklift", StringComparison.Ordinal));
        Assert.Contains(H.Email.Sent, m => m.TextBody.Contains("Nobody at the address", StringComparison.Ordinal));
    }

    [Fact]
    public async Task sns_topic_messages_carry_status_delivery_and_locale_attributes()
    {
        await PickedUpAsync();
        var queue = new RecordingJobQueue();
        await H.Dispatcher(queue).DispatchOnceAsync(default);
        foreach (var id in queue.Enqueued) await H.Job().RunAsync(id, default);

        var topic = Assert.Single(H.Sns.Sent, m => m.TopicArn is not null);
        Assert.Equal("PickedUp", topic.Attributes["status"]);
        Assert.Equal("ko", topic.Attributes["locale"]);
        Assert.True(Guid.TryParse(topic.Attributes["deliveryId"], out _));
    }
}
