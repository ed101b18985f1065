using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendy.Console.Staff;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Notifications;
using Sendy.Engine.Notifications.InMemory;
using Sendy.Engine.Notifications.Sns;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Nodes;

/// <summary>
/// Two console nodes on one database, each with its own services (as two machines): the Data
/// Protection key ring lives in PostgreSQL, so what one node protects the other opens, and a node
/// started later with nothing of its own (an empty home folder) keeps every link and session.
/// </summary>
public sealed class SharedKeyRingTests(SharedKeyRingTests.TwoNodes nodes) : IClassFixture<SharedKeyRingTests.TwoNodes>
{
    private const string Password = "key-ring-dispatcher-1";

    public sealed class TwoNodes : IAsyncLifetime
    {
        public SendyAppFactory A { get; } = new();

        public PeerNode B { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await A.InitializeAsync();
            // The deployment's first node makes the ring's first key before another node starts
            // (two first starts at once could each make one; the test is not about that race).
            A.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("warm-up").Protect("x");
            B = new PeerNode(A);
        }

        public async Task DisposeAsync()
        {
            await ((IAsyncLifetime)B).DisposeAsync();
            await ((IAsyncLifetime)A).DisposeAsync();
        }
    }

    /// <summary>A second node: no consumer (A reads the stream), SNS on and recorded, so its notifications can be read.</summary>
    public sealed class PeerNode(SendyAppFactory peer) : SendyAppFactory(peer)
    {
        public RecordingSnsPublisher Sns { get; } = new();

        protected override bool ConsumerEnabled => false;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Sns:Enabled", "true");
            builder.UseSetting("Sendy:Sns:TopicArn", "arn:aws:sns:us-east-1:123456789012:sendy-status");
            builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<ISnsPublisher>(Sns)));
        }
    }

    [Fact]
    public async Task a_tracking_link_made_on_one_node_is_the_same_link_on_the_other()
    {
        var (_, _, trackingToken) = await nodes.A.CreateTruckWithDeliveryAsync();
        var deliveryId = await DeliveryIdAsync(trackingToken);

        var onB = await nodes.B.Services.GetRequiredService<DispatchBoardQueries>().TrackingLinkAsync(deliveryId, default);

        Assert.Equal(new Uri("http://sendy.test/t/" + trackingToken), onB);
        Assert.Equal(HttpStatusCode.OK, (await nodes.B.CreateClient().GetAsync("/t/" + trackingToken)).StatusCode);
    }

    [Fact]
    public async Task a_notification_rendered_on_the_other_node_carries_the_customers_link()
    {
        var (_, _, trackingToken) = await nodes.A.CreateTruckWithDeliveryAsync();
        var deliveryId = await DeliveryIdAsync(trackingToken);
        var changed = await nodes.A.Services.GetRequiredService<DeliveryStatusService>().ChangeAsync(
            new StatusChangeRequest(deliveryId, DeliveryStatus.Arrived, StatusActor.Dispatcher("key-ring-test"), "kr-" + deliveryId), default);
        Assert.True(changed.Succeeded, changed.Outcome.ToString());

        var sender = nodes.B.Services.GetRequiredService<NotificationSender>();
        await using (var db = await nodes.B.Services.GetRequiredService<IDbContextFactory<SendyDbContext>>().CreateDbContextAsync())
        {
            var row = new OutboxMessage { StatusEventId = changed.Event!.Id, DeliveryId = deliveryId, Channel = NotificationChannel.SnsTopic };
            Assert.StartsWith("sns:", await sender.SendAsync(db, row, default), StringComparison.Ordinal);
        }

        var message = Assert.Single(nodes.B.Sns.Sent, m => m.Attributes["deliveryId"] == deliveryId.ToString());
        Assert.Contains("http://sendy.test/t/" + trackingToken, message.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_staff_cookie_from_one_node_signs_in_on_the_other()
    {
        var email = await CreateDispatcherAsync();
        var cookie = await StaffLogin.CookieAsync(BrowserOn(nodes.A), email, Password);

        var onB = Client(nodes.B);
        onB.DefaultRequestHeaders.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/dispatch")).StatusCode);

        var stranger = Client(nodes.B);
        stranger.DefaultRequestHeaders.Add("Cookie", "sendy.staff=" + new string('A', 200));
        Assert.Equal(HttpStatusCode.Redirect, (await stranger.GetAsync("/dispatch")).StatusCode);
    }

    [Fact]
    public async Task a_node_started_later_with_nothing_of_its_own_keeps_every_link_and_session()
    {
        var (_, _, trackingToken) = await nodes.A.CreateTruckWithDeliveryAsync();
        var deliveryId = await DeliveryIdAsync(trackingToken);
        var cookie = await StaffLogin.CookieAsync(BrowserOn(nodes.A), await CreateDispatcherAsync(), Password);

        await using var restarted = new PeerNode(nodes.A);
        Assert.Equal(new Uri("http://sendy.test/t/" + trackingToken),
            await restarted.Services.GetRequiredService<DispatchBoardQueries>().TrackingLinkAsync(deliveryId, default));
        var client = Client(restarted);
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/dispatch")).StatusCode);

        // One ring for all: the nodes created no keys of their own.
        await using var db = await nodes.A.Services.GetRequiredService<IDbContextFactory<SendyDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.DataProtectionKeys.CountAsync());
    }

    /// <summary>A browser for the sign-in form: it keeps the antiforgery cookie between the form and the post.</summary>
    private static HttpClient BrowserOn(SendyAppFactory node) =>
        node.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A client that sends only the cookies a test adds.</summary>
    private static HttpClient Client(SendyAppFactory node) =>
        node.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private async Task<Guid> DeliveryIdAsync(string trackingToken)
    {
        await using var db = await nodes.A.Services.GetRequiredService<IDbContextFactory<SendyDbContext>>().CreateDbContextAsync();
        var hash = Sendy.Engine.Security.AccessTokens.Hash(trackingToken);
        return await db.Deliveries.Where(d => d.TrackingTokenHash == hash).Select(d => d.Id).SingleAsync();
    }

    private async Task<string> CreateDispatcherAsync()
    {
        var email = $"kr-{Guid.NewGuid():N}"[..14] + "@test.local";
        var created = await nodes.A.Services.GetRequiredService<StaffAccounts>()
            .CreateAsync(new NewStaffAccount(email, "Dispatcher", StaffRole.Dispatcher, Password), default);
        Assert.True(created.Succeeded);
        return email;
    }
}
