using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Sendy.Engine.Consumers;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Outbox;
using Sendy.Engine.Notifications;
using Sendy.Engine.Fleet;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Notifications.InMemory;
using Sendy.Engine.Notifications.Sns;
using Sendy.Engine.Search.OpenSearch;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Deliveries;

/// <summary>
/// The deliveries and notification services on a test database, without Hangfire or hosted
/// services (tests drive the dispatcher, jobs and geofence by hand). Recording SNS and email
/// adapters unless <paramref name="configure"/> swaps in real ones.
/// </summary>
public sealed class DeliveryHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public DeliveryHarness(TestDatabase db, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Sendy"] = db.ConnectionString,
            ["Sendy:PublicBaseUrl"] = "http://sendy.test",
            ["Sendy:Sns:Enabled"] = "true",
            ["Sendy:Sns:SmsEnabled"] = "true",
            ["Sendy:Sns:Endpoint"] = LocalServer.SnsEndpoint,
            ["Sendy:Sns:TopicArn"] = "arn:aws:sns:us-east-1:123456789012:sendy-status",
            ["Sendy:Smtp:Enabled"] = "true",
            ["Sendy:Smtp:Host"] = "127.0.0.1",
            ["Sendy:Smtp:From"] = "no-reply@sendy.test",
        };
        foreach (var (k, v) in settings ?? []) values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(db.DataSource);
        services.AddDbContextFactory<SendyDbContext>(o => SendyDatabase.Configure(o, db.ConnectionString));
        services.AddOptions<ConsumerOptions>();
        services.AddSingleton<FleetRegistry>();
        services.AddSendyDeliveries(configuration);
        services.AddSnsNotifications(configuration);
        services.AddSmtpEmail(configuration);
        services.AddOpenSearch(configuration);
        services.AddOptions<OutboxOptions>();
        services.AddSingleton<NotificationSender>();
        services.AddTransient<NotificationJob>();
        services.AddSingleton(Sns);
        services.AddSingleton(Email);
        services.Replace(ServiceDescriptor.Singleton<ISnsPublisher>(Sns));
        services.Replace(ServiceDescriptor.Singleton<IEmailSender>(Email));
        configure?.Invoke(services);
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public RecordingSnsPublisher Sns { get; } = new();

    public RecordingEmailSender Email { get; } = new();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public DeliveryStatusService Statuses => Get<DeliveryStatusService>();

    public OutboxDispatcher Dispatcher(INotificationJobQueue queue) => ActivatorUtilities.CreateInstance<OutboxDispatcher>(_services, queue);

    public NotificationJob Job() => Get<NotificationJob>();

    /// <summary>A truck, its driver, and a booked delivery (with email and phone) assigned to them and moved to <paramref name="status"/>.</summary>
    public async Task<(string TruckId, Guid DriverId, Guid DeliveryId)> DeliveryAsync(DeliveryStatus status, string locale = "ko",
        string? email = "customer@example.test", string? phone = "+821012345678")
    {
        var truckId = "T-" + Guid.NewGuid().ToString("N")[..8];
        var fleet = Get<FleetRegistry>();
        await fleet.EnsureTruckAsync(truckId, "Truck", "경기 81바 1234", default);
        var driver = await fleet.CreateDriverAsync("Minsu Kim", truckId, default);
        var booked = await Get<DeliveryBookingService>().BookAsync(new NewDelivery("박지우", email, phone, locale,
            new GeoAddress("인천광역시 중구 서해대로 366", 37.4563, 126.6052), new GeoAddress("부산광역시 강서구 신항로 295", 35.0790, 128.8200)),
            "dispatcher", default);
        await Get<DeliveryBookingService>().AssignAsync(booked.Id, driver.Entity.Id, "dispatcher", default);
        var path = new[] { DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp, DeliveryStatus.InTransit, DeliveryStatus.Arrived, DeliveryStatus.Delivered };
        foreach (var next in path.TakeWhile(s => s <= status))
        {
            var r = await Statuses.ChangeAsync(new StatusChangeRequest(booked.Id, next, StatusActor.Driver(driver.Entity.Id), "setup-" + next), default);
            Assert.Equal(StatusChangeOutcome.Changed, r.Outcome);
        }
        return (truckId, driver.Entity.Id, booked.Id);
    }

    public async Task ClearOutboxAsync(TestDatabase db) => await db.ExecuteAsync("UPDATE notification_outbox SET enqueued_at = now() WHERE enqueued_at IS NULL");

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>Records enqueued outbox ids; can fail (a crash before the enqueue) or fail after enqueueing (a crash before the mark).</summary>
public sealed class RecordingJobQueue : INotificationJobQueue
{
    public List<long> Enqueued { get; } = [];

    public int FailBeforeEnqueue { get; set; }

    public int FailAfterEnqueueAt { get; set; } = -1;

    public string Enqueue(long outboxId)
    {
        if (FailBeforeEnqueue > 0)
        {
            FailBeforeEnqueue--;
            throw new InvalidOperationException("simulated crash before enqueue");
        }
        Enqueued.Add(outboxId);
        if (Enqueued.Count - 1 == FailAfterEnqueueAt) throw new InvalidOperationException("simulated crash after enqueue, before mark");
        return "job-" + outboxId;
    }
}

/// <summary>A test class with a database of its own per test and a <see cref="DeliveryHarness"/> on it.</summary>
public abstract class DeliveryDatabaseTests : IAsyncLifetime
{
    protected TestDatabase Db { get; } = new();

    protected DeliveryHarness H { get; private set; } = null!;

    /// <summary>The harness, for classes that register more services (or settings) than the default.</summary>
    protected virtual DeliveryHarness CreateHarness(TestDatabase db) => new(db);

    public async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        H = CreateHarness(Db);
    }

    public async Task DisposeAsync()
    {
        await H.DisposeAsync();
        await Db.DisposeAsync();
    }
}
