using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Integrations;
using Sendy.Engine.Integrations.Webhooks;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Admin;

/// <summary>
/// /admin/webhooks on real PostgreSQL: every client's endpoints with their state, disabling and
/// enabling, an endpoint's messages with each attempt, redelivery. Messages and attempts are
/// written with SQL the way the dispatcher leaves them.
/// </summary>
public sealed class WebhooksPageTests : FleetAdminContext, IClassFixture<TestDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // 03:04 UTC is 12:04 in Seoul, the operations time zone the page shows (tests leave out AM/PM: ICU puts a narrow space before it).
    private static readonly DateTimeOffset FailingSince = new(2026, 12, 1, 3, 4, 0, TimeSpan.Zero);

    private readonly SmtpOptions _smtp = new();

    public WebhooksPageTests(TestDatabase db) : base(db)
    {
        Services.AddSingleton(Options.Create(new ApiClientOptions()));
        Services.AddSingleton<ApiClientRegistry>();
        Services.AddSingleton(Options.Create(new WebhookOptions()));
        Services.AddSingleton(Options.Create(_smtp));
        Services.AddSingleton<WebhookSecrets>();
        Services.AddSingleton<WebhookEndpoints>();
        SignInAsAdmin(Guid.NewGuid().ToString(), "boss@test.local");
    }

    private WebhookEndpoints Endpoints => Services.GetRequiredService<WebhookEndpoints>();

    /// <summary>Each test starts without endpoints (the class shares its database), so the banner is there only when the test put it there.</summary>
    protected override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Db.ExecuteAsync("DELETE FROM webhook_endpoints");
    }

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> Page()
    {
        var page = RenderPage<WebhooksPage>();
        page.WaitForElement("[data-testid=webhooks-page][data-loaded=true]", Patience);
        return page;
    }

    private static IElement Row(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string url) =>
        page.FindAll("[data-testid=endpoints] tbody tr").Single(r => r.QuerySelector("[data-testid=endpoint-url] code")?.TextContent == url);

    private static string State(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string url) =>
        Row(page, url).QuerySelector("[data-testid=endpoint-state]")!.GetAttribute("data-state")!;

    private static IElement MessageRow(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string messageId) =>
        page.FindAll("[data-testid=message-list] tbody tr").Single(r => r.QuerySelector("[data-testid=message-id]")?.TextContent.Trim() == messageId);

    private static string[] MessageIds(IRenderedComponent<Bunit.Rendering.ContainerFragment> page) =>
        [.. page.FindAll("[data-testid=message-id]").Select(e => e.TextContent.Trim())];

    private async Task OpenMessagesAsync(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string url)
    {
        await Row(page, url).QuerySelector("[data-testid=open-messages]")!.ClickAsync(new());
        page.WaitForElement("[data-testid=messages][data-loaded=true]", Patience);
    }

    private async Task<(Guid ClientId, string Name)> ClientAsync()
    {
        var name = "Booking " + Guid.NewGuid().ToString("N")[..8];
        var (created, _) = await Services.GetRequiredService<ApiClientRegistry>().CreateAsync(name, [ApiScopes.WebhooksManage], "someone", default);
        return (created!.Client.Id, name);
    }

    private async Task<(Guid Id, string Url)> EndpointAsync(Guid clientId, params string[] types)
    {
        var url = $"https://hooks.example.test/{Guid.NewGuid():N}";
        var created = await Endpoints.CreateAsync(clientId, new WebhookEndpointRequest(url, types.Length == 0 ? WebhookEventTypes.All : types, null), "someone", default);
        return (created!.Endpoint.Id, url);
    }

    /// <summary>Turned off the way the dispatcher does it after days of failures.</summary>
    private Task DisableLikeTheDispatcherAsync(Guid endpointId) =>
        Db.ExecuteAsync("""
            UPDATE webhook_endpoints SET enabled = false, failing_since = $2, disabled_at = $2 + interval '3 days',
                   disabled_reason = 'No successful delivery since 2026-12-01 03:04 UTC'
            WHERE id = $1
            """, endpointId, FailingSince);

    private async Task<Guid> DeliveryAsync()
    {
        await using var db = Db.CreateContext();
        var delivery = new Delivery
        {
            Id = Guid.CreateVersion7(), TrackingTokenHash = Guid.NewGuid().ToByteArray(), CustomerName = "Kim Minsu",
            Status = DeliveryStatus.InTransit, CreatedAt = FailingSince, StatusChangedAt = FailingSince,
        };
        db.Deliveries.Add(delivery);
        await db.SaveChangesAsync();
        return delivery.Id;
    }

    private async Task<(long Id, string MessageId)> MessageAsync(Guid endpointId, Guid deliveryId, long sequence, WebhookMessageState state, int attempts,
        string? lastError = null, DateTimeOffset? nextAttemptAt = null, string type = WebhookEventTypes.StatusChanged)
    {
        var messageId = WebhookOutbox.NewMessageId(DateTimeOffset.UtcNow);
        var id = await Db.ScalarAsync<long>("""
            INSERT INTO webhook_messages (message_id, endpoint_id, delivery_id, sequence, event_type, payload, created_at, state, attempts,
                                          next_attempt_at, due_since, delivered_at, last_error)
            VALUES ($1, $2, $3, $4, $5, '{}', $6, $7, $8, $9, $9, $10, $11) RETURNING id
            """, messageId, endpointId, deliveryId, sequence, type, FailingSince.AddMinutes(sequence), state.ToString(), attempts,
            (object?)nextAttemptAt ?? DBNull.Value, state == WebhookMessageState.Delivered ? FailingSince.AddHours(1) : (object)DBNull.Value,
            (object?)lastError ?? DBNull.Value);
        return (id, messageId);
    }

    private Task AttemptAsync(long messageId, DateTimeOffset at, int? statusCode, int latencyMs, string? error) =>
        Db.ExecuteAsync("INSERT INTO webhook_attempts (message_id, attempted_at, status_code, latency_ms, error) VALUES ($1, $2, $3, $4, $5)",
            messageId, at, (object?)statusCode ?? DBNull.Value, latencyMs, (object?)error ?? DBNull.Value);

    [Fact]
    public async Task every_clients_endpoints_are_listed_with_their_state_and_disabling_asks_first_then_turns_one_off()
    {
        var (acme, acmeName) = await ClientAsync();
        var (hanbit, hanbitName) = await ClientAsync();
        var (_, healthy) = await EndpointAsync(acme, WebhookEventTypes.Created, WebhookEventTypes.Delivered);
        var (failingId, failing) = await EndpointAsync(hanbit);
        await Db.ExecuteAsync("UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1", failingId, FailingSince);
        var page = Page();

        var row = Row(page, healthy);
        Assert.Equal(acmeName, row.QuerySelector("[data-testid=endpoint-client]")!.TextContent.Trim());
        Assert.Equal([WebhookEventTypes.Created, WebhookEventTypes.Delivered], row.QuerySelectorAll(".mud-chip").Select(c => c.TextContent.Trim()).Take(2));
        Assert.Equal("enabled", State(page, healthy));
        Assert.Contains("Enabled", row.QuerySelector("[data-testid=endpoint-state]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(hanbitName, Row(page, failing).QuerySelector("[data-testid=endpoint-client]")!.TextContent.Trim());
        Assert.Equal("failing", State(page, failing));
        Assert.Contains("Failing since 12/1/2026 12:04", Row(page, failing).TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=disabled-banner]"));

        await row.QuerySelector("[data-testid=disable]")!.ClickAsync(new());
        Assert.True(await Db.ScalarAsync<bool>("SELECT enabled FROM webhook_endpoints WHERE url = $1", healthy)); // not before confirming
        await page.WaitForElement("[data-testid=disable-confirm]", Patience).ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("disabled", State(page, healthy)), Patience);
        Assert.False(await Db.ScalarAsync<bool>("SELECT enabled FROM webhook_endpoints WHERE url = $1", healthy));
        Assert.Contains("Turned off by its client or an admin.", Row(page, healthy).TextContent, StringComparison.Ordinal);
        var banner = page.Find("[data-testid=disabled-banner]").TextContent;
        Assert.Contains("Disabled endpoints: 1.", banner, StringComparison.Ordinal);
        Assert.Contains("E-mail is not set up on this server", banner, StringComparison.Ordinal); // SMTP is off here
        Assert.Equal("failing", State(page, failing));
    }

    [Fact]
    public async Task an_endpoint_the_dispatcher_disabled_shows_why_under_a_banner_and_enable_turns_it_on_again()
    {
        _smtp.Enabled = true;
        var (client, _) = await ClientAsync();
        var (id, url) = await EndpointAsync(client);
        await DisableLikeTheDispatcherAsync(id);
        var page = Page();

        Assert.Equal("disabled", State(page, url));
        var state = Row(page, url).QuerySelector("[data-testid=endpoint-state]")!.TextContent;
        Assert.Contains("Disabled 12/4/2026 12:04", state, StringComparison.Ordinal);
        Assert.Contains("Turned off automatically: no successful delivery since 12/1/2026 12:04", state, StringComparison.Ordinal);
        var banner = page.Find("[data-testid=disabled-banner]").TextContent;
        Assert.Contains("Disabled endpoints: 1.", banner, StringComparison.Ordinal);
        Assert.Contains("disabled automatically, and the admins are told by e-mail", banner, StringComparison.Ordinal);
        Assert.Contains("3 days", banner, StringComparison.Ordinal);
        Assert.Contains("then press Enable", banner, StringComparison.Ordinal);

        await Row(page, url).QuerySelector("[data-testid=enable]")!.ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("enabled", State(page, url)), Patience);
        Assert.Empty(page.FindAll("[data-testid=disabled-banner]"));
        Assert.Contains($"{url} enabled", page.Find("[data-testid=webhooks-message]").TextContent, StringComparison.Ordinal);
        await using var db = Db.CreateContext();
        var stored = db.WebhookEndpoints.Single(e => e.Id == id);
        Assert.True(stored.Enabled);
        Assert.Null(stored.DisabledAt);
        Assert.Null(stored.DisabledReason);
        Assert.Null(stored.FailingSince);
    }

    [Fact]
    public async Task an_endpoints_messages_are_listed_newest_first_and_each_opens_its_attempts()
    {
        var (client, _) = await ClientAsync();
        var (id, url) = await EndpointAsync(client);
        var (_, otherUrl) = await EndpointAsync(client);
        var delivery = await DeliveryAsync();
        var (first, firstId) = await MessageAsync(id, delivery, 1, WebhookMessageState.Delivered, 2, type: WebhookEventTypes.Created);
        await AttemptAsync(first, FailingSince, 503, 1234, "HTTP 503: busy");
        await AttemptAsync(first, FailingSince.AddSeconds(5), 200, 87, null);
        var (second, secondId) = await MessageAsync(id, delivery, 2, WebhookMessageState.GivenUp, 1, lastError: "Connection refused");
        await AttemptAsync(second, FailingSince.AddMinutes(2), null, 10_000, "Connection refused");
        var (_, thirdId) = await MessageAsync(id, delivery, 3, WebhookMessageState.Pending, 0);
        var page = Page();

        await OpenMessagesAsync(page, url);

        Assert.Equal([thirdId, secondId, firstId], MessageIds(page));
        var third = MessageRow(page, thirdId);
        Assert.Equal("Pending", third.QuerySelector("[data-testid=message-state]")!.GetAttribute("data-state"));
        Assert.Contains("after an earlier message", third.TextContent, StringComparison.Ordinal);
        Assert.Empty(third.QuerySelectorAll("[data-testid=redeliver]")); // pending: nothing to send again
        Assert.Equal($"/admin/deliveries/{delivery}", third.QuerySelector("[data-testid=message-delivery]")!.GetAttribute("href"));
        Assert.Equal(delivery.ToString("N")[..8], third.QuerySelector("[data-testid=message-delivery]")!.TextContent.Trim());
        var given = MessageRow(page, secondId);
        Assert.Equal("GivenUp", given.QuerySelector("[data-testid=message-state]")!.GetAttribute("data-state"));
        Assert.Contains("Given up", given.TextContent, StringComparison.Ordinal);
        Assert.Equal("Connection refused", given.QuerySelector("[data-testid=message-error]")!.TextContent.Trim());
        Assert.NotNull(given.QuerySelector("[data-testid=redeliver]"));
        Assert.Contains(WebhookEventTypes.Created, MessageRow(page, firstId).TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=older-messages]"));

        await MessageRow(page, firstId).QuerySelector("[data-testid=toggle-attempts]")!.ClickAsync(new());
        var attempts = page.WaitForElement($"[data-testid=attempts][data-message={firstId}]", Patience).QuerySelectorAll("[data-testid=attempt]");
        Assert.Equal(["200", "503"], attempts.Select(a => a.QuerySelector("[data-testid=attempt-status]")!.TextContent.Trim())); // newest first
        Assert.Equal(["87 ms", "1,234 ms"], attempts.Select(a => a.QuerySelector("[data-testid=attempt-latency]")!.TextContent.Trim()));
        Assert.Equal(["", "HTTP 503: busy"], attempts.Select(a => a.QuerySelector("[data-testid=attempt-error]")!.TextContent.Trim()));
        Assert.Contains("12/1/2026 12:04", attempts[1].TextContent, StringComparison.Ordinal);

        await MessageRow(page, secondId).QuerySelector("[data-testid=toggle-attempts]")!.ClickAsync(new());
        var refused = page.WaitForElement($"[data-testid=attempts][data-message={secondId}]", Patience).QuerySelector("[data-testid=attempt]")!;
        Assert.Equal("no answer", refused.QuerySelector("[data-testid=attempt-status]")!.TextContent.Trim());
        Assert.Equal("10,000 ms", refused.QuerySelector("[data-testid=attempt-latency]")!.TextContent.Trim());

        // Another endpoint's messages are its own.
        await OpenMessagesAsync(page, otherUrl);
        page.WaitForElement("[data-testid=no-messages]", Patience);
    }

    [Fact]
    public async Task redeliver_makes_a_given_up_message_pending_again_and_the_row_says_so()
    {
        var (client, _) = await ClientAsync();
        var (id, url) = await EndpointAsync(client);
        var (message, messageId) = await MessageAsync(id, await DeliveryAsync(), 1, WebhookMessageState.GivenUp, 12, lastError: "HTTP 500: oops");
        var page = Page();
        await OpenMessagesAsync(page, url);

        await MessageRow(page, messageId).QuerySelector("[data-testid=redeliver]")!.ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Pending", MessageRow(page, messageId).QuerySelector("[data-testid=message-state]")!.GetAttribute("data-state")), Patience);
        Assert.Empty(MessageRow(page, messageId).QuerySelectorAll("[data-testid=redeliver]"));
        Assert.Contains($"{messageId} will be sent again", page.Find("[data-testid=webhooks-message]").TextContent, StringComparison.Ordinal);
        await using var db = Db.CreateContext();
        var stored = db.WebhookMessages.Single(m => m.Id == message);
        Assert.Equal(WebhookMessageState.Pending, stored.State);
        Assert.Null(stored.LastError);
        Assert.NotNull(stored.NextAttemptAt); // due now: nothing older of its delivery is pending
    }

    [Fact]
    public async Task a_revoked_clients_endpoint_says_nothing_is_sent_and_offers_no_redelivery()
    {
        var (client, _) = await ClientAsync();
        var (id, url) = await EndpointAsync(client);
        var (_, messageId) = await MessageAsync(id, await DeliveryAsync(), 1, WebhookMessageState.GivenUp, 3, lastError: "HTTP 500: oops");
        await Services.GetRequiredService<ApiClientRegistry>().RevokeAsync(client, "boss@test.local", default);
        var page = Page();

        Assert.Contains("Client revoked: nothing is sent", Row(page, url).QuerySelector("[data-testid=client-revoked]")!.TextContent, StringComparison.Ordinal);
        await OpenMessagesAsync(page, url);
        Assert.Empty(MessageRow(page, messageId).QuerySelectorAll("[data-testid=redeliver]"));
    }

    [Fact]
    public async Task fifty_messages_are_shown_at_a_time_and_older_brings_the_rest()
    {
        var (client, _) = await ClientAsync();
        var (id, url) = await EndpointAsync(client);
        var delivery = await DeliveryAsync();
        await Db.ExecuteAsync("""
            INSERT INTO webhook_messages (message_id, endpoint_id, delivery_id, sequence, event_type, payload, created_at, state, attempts)
            SELECT 'msg_' || lpad(g::text, 32, '0'), $1, $2, g, 'delivery.status_changed', '{}', $3, 'Delivered', 1 FROM generate_series(1, 55) g
            """, id, delivery, FailingSince);
        var page = Page();
        await OpenMessagesAsync(page, url);

        Assert.Equal(50, MessageIds(page).Length);
        Assert.Equal("msg_" + "55".PadLeft(32, '0'), MessageIds(page)[0]);

        await page.Find("[data-testid=older-messages]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal(55, MessageIds(page).Length), Patience);
        Assert.Equal("msg_" + "1".PadLeft(32, '0'), MessageIds(page)[^1]);
        Assert.Empty(page.FindAll("[data-testid=older-messages]"));
    }

    [Fact]
    public async Task the_page_reads_in_korean()
    {
        UseCulture("ko");
        var (client, _) = await ClientAsync();
        var (id, url) = await EndpointAsync(client);
        await DisableLikeTheDispatcherAsync(id);
        var (message, messageId) = await MessageAsync(id, await DeliveryAsync(), 1, WebhookMessageState.GivenUp, 1, lastError: "Connection refused");
        await AttemptAsync(message, FailingSince, null, 10_000, "Connection refused");
        var page = Page();

        Assert.Equal("웹훅", page.Find("h1").TextContent.Trim());
        Assert.Contains("비활성화된 엔드포인트: 1개", page.Find("[data-testid=disabled-banner]").TextContent, StringComparison.Ordinal);
        Assert.Contains("자동으로 비활성화되었습니다", Row(page, url).TextContent, StringComparison.Ordinal);
        Assert.Equal("활성화", Row(page, url).QuerySelector("[data-testid=enable]")!.TextContent.Trim());

        await OpenMessagesAsync(page, url);
        Assert.Contains("포기함", MessageRow(page, messageId).TextContent, StringComparison.Ordinal);
        await MessageRow(page, messageId).QuerySelector("[data-testid=toggle-attempts]")!.ClickAsync(new());
        var attempt = page.WaitForElement("[data-testid=attempt]", Patience);
        Assert.Equal("응답 없음", attempt.QuerySelector("[data-testid=attempt-status]")!.TextContent.Trim());
        Assert.Equal("다시 보내기", MessageRow(page, messageId).QuerySelector("[data-testid=redeliver]")!.TextContent.Trim());
    }
}
