using Microsoft.Extensions.Configuration;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Eta;
using Sendy.Engine.Integrations;
using Sendy.Engine.Integrations.Webhooks;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Deliveries;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Integrations;

/// <summary>
/// Webhooks end to end on PostgreSQL with fake time: status changes written as messages in their
/// transaction, sent by the dispatcher to a real local receiver that checks every signature;
/// order per delivery, other deliveries never waiting, retries, giving up, catching up, disabling.
/// </summary>
public sealed class WebhookDispatcherTests : DeliveryDatabaseTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Sendy:Webhooks:AllowHttp"] = "true",
        ["Sendy:Webhooks:AllowedHosts:0"] = "127.0.0.1",
        ["Sendy:Webhooks:DispatcherEnabled"] = "false",
    };

    protected override DeliveryHarness CreateHarness(TestDatabase db) =>
        new(db, Settings, s => s.AddSendyIntegrations(new ConfigurationBuilder().AddInMemoryCollection(Settings).Build()));

    private WebhookDispatcher Dispatcher => H.Get<WebhookDispatcher>();

    private WebhookEndpoints Endpoints => H.Get<WebhookEndpoints>();

    private async Task<Guid> SubscribeAsync(WebhookReceiver receiver, params string[] types)
    {
        var (client, _) = await H.Get<ApiClientRegistry>().CreateAsync("Booking " + Guid.NewGuid().ToString("N")[..6], [ApiScopes.WebhooksManage], "admin", default);
        var created = (await Endpoints.CreateAsync(client!.Client.Id, new WebhookEndpointRequest(receiver.Url, types.Length == 0 ? WebhookEventTypes.All : types, null),
            "test", default))!;
        receiver.Secrets.Add(created.Secret);
        return created.Endpoint.Id;
    }

    /// <summary>Dispatch passes until nothing is due (each pass sends the next message of every delivery).</summary>
    private async Task<int> DrainAsync()
    {
        int total = 0, n;
        while ((n = await Dispatcher.DispatchOnceAsync(default)) > 0) total += n;
        return total;
    }

    private async Task<List<WebhookMessage>> MessagesAsync(Guid deliveryId)
    {
        await using var db = Db.CreateContext();
        return [.. db.WebhookMessages.Where(m => m.DeliveryId == deliveryId).OrderBy(m => m.Sequence)];
    }

    private static IEnumerable<(string Type, long Sequence)> Of(IEnumerable<ReceivedWebhook> received, Guid deliveryId) =>
        received.Where(r => r.Payload!.Data.DeliveryId == deliveryId).Select(r => (r.Payload!.Type, r.Payload.Data.Sequence));

    [Fact]
    public async Task a_deliverys_events_reach_the_receiver_signed_once_each_in_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        await SubscribeAsync(receiver);

        var (_, _, id) = await H.DeliveryAsync(DeliveryStatus.PickedUp);
        Assert.Equal(5, await DrainAsync());

        Assert.All(receiver.Received, r => Assert.True(r.Verified, r.Body));
        Assert.Equal(receiver.Received.Count, receiver.Accepted.Count);
        Assert.Equal(receiver.Accepted.Count, receiver.Delivered.Count); // nothing sent twice
        Assert.Equal(
            [
                (WebhookEventTypes.Created, 1L), (WebhookEventTypes.Assigned, 2L), (WebhookEventTypes.StatusChanged, 3L),
                (WebhookEventTypes.StatusChanged, 4L), (WebhookEventTypes.StatusChanged, 5L),
            ],
            Of(receiver.Delivered, id));
        var last = receiver.Delivered[^1].Payload!;
        Assert.Equal((DeliveryStatus.PickedUp, DeliveryStatus.EnRouteToPickup, StatusActorKind.Driver), (last.Data.Status, last.Data.PreviousStatus, last.Data.Actor));
        Assert.NotNull(receiver.Delivered[0].Payload!.Data.TrackingLink); // created carries the customer's link
        Assert.All(await MessagesAsync(id), m => Assert.Equal((WebhookMessageState.Delivered, 1), (m.State, m.Attempts)));
        var attempt = Assert.Single(await Endpoints.AttemptsAsync((await MessagesAsync(id))[0].Id, default));
        Assert.Equal((200, null), (attempt.StatusCode, attempt.Error));
    }

    [Fact]
    public async Task a_failing_delivery_holds_back_only_its_own_later_events_and_they_follow_in_order_once_it_passes()
    {
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        await SubscribeAsync(receiver, WebhookEventTypes.StatusChanged, WebhookEventTypes.Delivered);
        var (_, _, stuck) = await H.DeliveryAsync(DeliveryStatus.DriverAssigned);
        receiver.Answer = r => r.Payload!.Data.DeliveryId == stuck ? (503, "busy") : (200, "ok");
        var (_, _, other) = await H.DeliveryAsync(DeliveryStatus.Delivered);
        await H.DeliveryAsync(DeliveryStatus.InTransit); // stuck's moves, interleaved with a third delivery's
        foreach (var next in new[] { DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp })
            await H.Statuses.ChangeAsync(new StatusChangeRequest(stuck, next, StatusActor.Dispatcher("kim"), "move-" + next), default);

        await DrainAsync();

        Assert.Equal(7, Of(receiver.Delivered, other).Count()); // assigned … delivered, plus delivery.delivered: none waited
        Assert.DoesNotContain(receiver.Delivered, r => r.Payload!.Data.DeliveryId == stuck);
        var queued = await MessagesAsync(stuck);
        Assert.Equal(3, queued.Count);
        Assert.Equal((WebhookMessageState.Pending, 1), (queued[0].State, queued[0].Attempts));
        Assert.NotNull(queued[0].NextAttemptAt);
        Assert.All(queued.Skip(1), m => Assert.Null(m.NextAttemptAt)); // waiting their turn, not due

        receiver.Answer = _ => (200, "ok");
        H.Time.Advance(TimeSpan.FromSeconds(6)); // past the first retry (5 s, jittered down to 2.5 s)
        await DrainAsync();

        Assert.Equal([DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp],
            receiver.Delivered.Where(r => r.Payload!.Data.DeliveryId == stuck).Select(r => r.Payload!.Data.Status));
        var sequences = Of(receiver.Delivered, stuck).Select(x => x.Sequence).ToList();
        Assert.Equal(sequences.Order(), sequences);
    }

    [Fact]
    public async Task retries_back_off_doubling_and_a_message_is_given_up_after_24_hours_letting_the_next_one_go()
    {
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        receiver.Answer = _ => (500, "down");
        await SubscribeAsync(receiver, WebhookEventTypes.Created, WebhookEventTypes.Assigned);
        var (_, _, id) = await H.DeliveryAsync(DeliveryStatus.DriverAssigned);
        var created = H.Time.GetUtcNow();

        var waits = new List<TimeSpan>();
        for (var i = 0; i < 60 && (await MessagesAsync(id))[0].State == WebhookMessageState.Pending; i++)
        {
            await DrainAsync();
            var head = (await MessagesAsync(id))[0];
            if (head.NextAttemptAt is not { } next) break;
            waits.Add(next - H.Time.GetUtcNow());
            H.Time.SetUtcNow(next);
        }

        var messages = await MessagesAsync(id);
        Assert.Equal(WebhookMessageState.GivenUp, messages[0].State);
        Assert.True(H.Time.GetUtcNow() - created >= TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1), $"given up at {H.Time.GetUtcNow() - created}");
        Assert.InRange(waits[0], TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(5));
        Assert.InRange(waits[3], TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40));
        Assert.All(waits, w => Assert.True(w <= TimeSpan.FromHours(1)));
        Assert.Equal(messages[0].Attempts, (await Endpoints.AttemptsAsync(messages[0].Id, default)).Count);
        Assert.Contains("HTTP 500: down", (await Endpoints.AttemptsAsync(messages[0].Id, default))[0].Error);
        Assert.NotNull(messages[1].NextAttemptAt); // the next event's turn has come
        Assert.Equal(WebhookMessageState.Pending, messages[1].State);
    }

    [Fact]
    public async Task a_receiver_back_after_an_outage_gets_everything_once_in_order_without_waiting_out_the_backoff()
    {
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        receiver.Answer = _ => (503, "maintenance");
        await SubscribeAsync(receiver);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await H.DeliveryAsync(DeliveryStatus.PickedUp)).DeliveryId);
            await DrainAsync();
            H.Time.Advance(TimeSpan.FromMinutes(4)); // ten minutes and more of failing: retries now an hour apart at most
            await DrainAsync();
        }

        receiver.Answer = _ => (200, "ok");
        var fresh = (await H.DeliveryAsync(DeliveryStatus.Booked)).DeliveryId;
        H.Time.Advance(WebhookDispatcher.ProbeInterval); // down, so only probed: the next probe passes and brings the rest
        await DrainAsync();

        foreach (var id in ids.Append(fresh))
        {
            var got = Of(receiver.Delivered, id).Select(x => x.Sequence).ToList();
            Assert.Equal((await MessagesAsync(id)).Select(m => m.Sequence), got);
        }
        Assert.All(receiver.Received, r => Assert.True(r.Verified));
        Assert.Equal(receiver.Delivered.Count, receiver.Accepted.Count); // each webhook-id accepted once
        await using var db = Db.CreateContext();
        Assert.All(db.WebhookMessages, m => Assert.Equal(WebhookMessageState.Delivered, m.State));
        Assert.Null(db.WebhookEndpoints.Single().FailingSince);
    }

    [Fact]
    public async Task a_down_endpoint_is_only_probed_one_message_at_a_time_and_the_probes_success_brings_the_rest()
    {
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        receiver.Answer = _ => (503, "down");
        await SubscribeAsync(receiver, WebhookEventTypes.Created);
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++) ids.Add((await H.DeliveryAsync(DeliveryStatus.Booked)).DeliveryId);
        Assert.Equal(6, await DrainAsync()); // failing, not yet down: every delivery's head is tried

        H.Time.Advance(WebhookDispatcher.DownAfter + TimeSpan.FromMinutes(1)); // every head is due again, but the endpoint is down
        Assert.Equal(1, await DrainAsync()); // one probe
        Assert.Equal(0, await DrainAsync()); // resting until the next one
        H.Time.Advance(WebhookDispatcher.ProbeInterval);
        Assert.Equal(1, await DrainAsync());
        Assert.Equal(8, receiver.Received.Count);

        receiver.Answer = _ => (200, "ok");
        H.Time.Advance(WebhookDispatcher.ProbeInterval);
        await DrainAsync(); // the probe passes and the backed-off rest follows at once
        foreach (var id in ids)
            Assert.Equal(WebhookMessageState.Delivered, Assert.Single(await MessagesAsync(id)).State);
        Assert.Equal(6, receiver.Accepted.Count);
        Assert.All(receiver.Received, r => Assert.True(r.Verified));
    }

    [Fact]
    public async Task what_a_down_endpoint_could_not_take_within_24_hours_is_given_up_by_upkeep_and_the_next_event_goes()
    {
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        receiver.Answer = _ => (500, "down");
        await SubscribeAsync(receiver, WebhookEventTypes.Created, WebhookEventTypes.Assigned);
        var (_, _, id) = await H.DeliveryAsync(DeliveryStatus.DriverAssigned);
        await DrainAsync();
        H.Time.Advance(TimeSpan.FromMinutes(2));
        await DrainAsync(); // down now: only probed from here on

        H.Time.Advance(TimeSpan.FromHours(24));
        await Dispatcher.MaintainAsync(default);

        var messages = await MessagesAsync(id);
        Assert.Equal(WebhookMessageState.GivenUp, messages[0].State);
        Assert.Contains("down for the whole retry window", messages[0].LastError);
        Assert.Equal(WebhookMessageState.Pending, messages[1].State);
        Assert.NotNull(messages[1].NextAttemptAt); // its turn has come
    }

    [Fact]
    public async Task an_endpoint_failing_for_three_days_is_disabled_and_the_admins_are_told()
    {
        await Db.ExecuteAsync("""
            INSERT INTO staff_roles (id, name, normalized_name) VALUES ('r-admin', 'Admin', 'ADMIN');
            INSERT INTO staff_users (id, user_name, email, display_name, locale, email_confirmed, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
            VALUES ('u-1', 'ops@sendy.test', 'ops@sendy.test', 'Ops', 'en', true, false, false, false, 0);
            INSERT INTO staff_user_roles (user_id, role_id) VALUES ('u-1', 'r-admin');
            """);
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        receiver.Answer = _ => (500, "gone");
        var endpoint = await SubscribeAsync(receiver, WebhookEventTypes.Created);
        for (var day = 0; day < 4; day++)
        {
            if (day > 0) H.Time.Advance(TimeSpan.FromHours(25));
            await H.DeliveryAsync(DeliveryStatus.Booked);
            await DrainAsync(); // the last failure, 75 hours after the first, disables it
        }

        var view = (await Endpoints.GetAsync(endpoint, null, default))!;
        Assert.False(view.Enabled);
        Assert.StartsWith("No successful delivery since", view.DisabledReason);
        var mail = Assert.Single(H.Email.Sent);
        Assert.Equal("ops@sendy.test", mail.To);
        Assert.Contains(receiver.Url, mail.TextBody);

        // Nothing is sent to a disabled endpoint; enabling it makes its pending messages due again.
        var before = receiver.Received.Count;
        await H.DeliveryAsync(DeliveryStatus.Booked);
        await DrainAsync();
        Assert.Equal(before, receiver.Received.Count);
        receiver.Answer = _ => (200, "ok");
        await Endpoints.UpdateAsync(endpoint, null, new WebhookEndpointRequest(null, null, null), enabled: true, default);
        await DrainAsync();
        Assert.True(receiver.Delivered.Count >= 1);
    }

    [Fact]
    public async Task after_a_rotation_both_secrets_sign_until_the_grace_period_ends()
    {
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        var endpoint = await SubscribeAsync(receiver, WebhookEventTypes.Created);
        var old = receiver.Secrets[0];
        var rotated = (await Endpoints.RotateSecretAsync(endpoint, null, TimeSpan.FromHours(1), default))!;
        Assert.NotEqual(old, rotated.Secret);
        Assert.NotNull(rotated.Endpoint.PreviousSecretExpiresAt);

        await H.DeliveryAsync(DeliveryStatus.Booked);
        await DrainAsync();
        var during = receiver.Received.Last();
        Assert.Equal(2, during.Signature!.Split(' ').Length);
        Assert.True(WebhookSigner.Verify(old, during.Id, during.Timestamp, during.Signature, during.Body, H.Time.GetUtcNow()));
        Assert.True(WebhookSigner.Verify(rotated.Secret, during.Id, during.Timestamp, during.Signature, during.Body, H.Time.GetUtcNow()));

        H.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await H.DeliveryAsync(DeliveryStatus.Booked);
        await DrainAsync();
        var after = receiver.Received.Last();
        Assert.False(WebhookSigner.Verify(old, after.Id, after.Timestamp, after.Signature, after.Body, H.Time.GetUtcNow()));
        Assert.True(WebhookSigner.Verify(rotated.Secret, after.Id, after.Timestamp, after.Signature, after.Body, H.Time.GetUtcNow()));
    }

    [Fact]
    public async Task the_official_standard_webhooks_library_accepts_what_we_send()
    {
        await using var receiver = await WebhookReceiver.StartAsync(() => DateTimeOffset.UtcNow);
        H.Time.SetUtcNow(DateTimeOffset.UtcNow); // the package checks the timestamp against the system clock
        await SubscribeAsync(receiver, WebhookEventTypes.Created);
        await H.DeliveryAsync(DeliveryStatus.Booked);
        await DrainAsync();

        var got = Assert.Single(receiver.Received);
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary
        {
            ["webhook-id"] = got.Id, ["webhook-timestamp"] = got.Timestamp, ["webhook-signature"] = got.Signature,
        };
        new StandardWebhooks.StandardWebhook(receiver.Secrets[0]).Verify(got.Body, headers); // throws when it does not verify
    }

    [Fact]
    public async Task redirects_are_not_followed_hung_receivers_time_out_and_big_answers_are_cut()
    {
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        await SubscribeAsync(receiver, WebhookEventTypes.Created);
        receiver.Answer = _ => (302, "");
        var (_, _, id) = await H.DeliveryAsync(DeliveryStatus.Booked);
        await DrainAsync();
        var message = (await MessagesAsync(id))[0];
        Assert.Contains("redirect to http://169.254.169.254/latest/meta-data/ not followed", message.LastError);
        Assert.Single(receiver.Received); // the metadata address was never asked

        receiver.Answer = _ => (400, new string('x', 1 << 20));
        H.Time.Advance(TimeSpan.FromSeconds(6));
        await DrainAsync();
        message = (await MessagesAsync(id))[0];
        Assert.StartsWith("HTTP 400: xxx", message.LastError);
        Assert.True(message.LastError!.Length <= 500);

        receiver.Hold = new TaskCompletionSource();
        H.Time.Advance(TimeSpan.FromSeconds(15));
        var pass = Dispatcher.DispatchOnceAsync(default);
        await Eventually.ReachesAsync(() => Task.FromResult(receiver.Received.Count), n => n == 3, "the hung request arrived");
        H.Time.Advance(TimeSpan.FromSeconds(10)); // the attempt's timeout, on the dispatcher's clock
        Assert.Equal(1, await pass);
        Assert.Equal("No answer within 10 s", (await MessagesAsync(id))[0].LastError);
        receiver.Hold.SetResult();
    }

    [Fact]
    public async Task addresses_of_this_machine_are_refused_unless_an_admin_allowed_the_host()
    {
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        var endpoint = await SubscribeAsync(receiver, WebhookEventTypes.Created);
        var localhost = receiver.Url.Replace("127.0.0.1", "[::ffff:127.0.0.1]", StringComparison.Ordinal);
        Assert.Contains("url", Endpoints.Check(new WebhookEndpointRequest(localhost, [WebhookEventTypes.Created], null)).Keys);
        // Written past the check (as if the rule changed since): the sender refuses it at send time too.
        await Db.ExecuteAsync("UPDATE webhook_endpoints SET url = $1", localhost);
        var (_, _, id) = await H.DeliveryAsync(DeliveryStatus.Booked);
        await DrainAsync();
        Assert.Empty(receiver.Received);
        Assert.Contains("refused", (await MessagesAsync(id))[0].LastError);
        Assert.NotEqual(Guid.Empty, endpoint);
    }

    [Fact]
    public async Task an_eta_that_moves_five_minutes_or_more_is_announced_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync(H.Time.GetUtcNow);
        await SubscribeAsync(receiver, WebhookEventTypes.EtaChanged);
        var (_, _, id) = await H.DeliveryAsync(DeliveryStatus.InTransit);
        var announcer = H.Get<EtaAnnouncer>();
        async Task EstimateAsync(int minutes) => await Db.ExecuteAsync(
            "UPDATE deliveries SET eta_kind = 'Estimated', promised_to = $2, estimated_arrival_at = $2 + make_interval(mins => $3) WHERE id = $1",
            id, new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero), minutes);

        await EstimateAsync(4);
        Assert.Equal(0, await announcer.AnnounceAsync(default)); // within 5 minutes of the promise
        await EstimateAsync(12);
        Assert.Equal(1, await announcer.AnnounceAsync(default));
        Assert.Equal(0, await announcer.AnnounceAsync(default));
        await EstimateAsync(15);
        Assert.Equal(0, await announcer.AnnounceAsync(default)); // 3 minutes from the last announced
        await EstimateAsync(6);
        Assert.Equal(1, await announcer.AnnounceAsync(default));
        await DrainAsync();

        var got = receiver.Delivered.Select(r => r.Payload!.Data).ToList();
        Assert.Equal(2, got.Count);
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 3, 12, 0, TimeSpan.Zero), got[0].Eta!.At);
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero), got[0].PreviousEta);
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 3, 12, 0, TimeSpan.Zero), got[1].PreviousEta);
        Assert.True(got[1].Sequence > got[0].Sequence);
    }
}
