using System.Text;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Storage;

public sealed class SendyDbContext(DbContextOptions<SendyDbContext> options)
    : IdentityDbContext<StaffUser, IdentityRole, string>(options), IDataProtectionKeyContext
{
    public const string MigrationsAssembly = "Sendy.Migrations";

    public DbSet<Truck> Trucks => Set<Truck>();
    public DbSet<Driver> Drivers => Set<Driver>();
    public DbSet<Delivery> Deliveries => Set<Delivery>();
    public DbSet<PositionRow> Positions => Set<PositionRow>();
    public DbSet<LatestPosition> LatestPositions => Set<LatestPosition>();
    public DbSet<LeaseRow> Leases => Set<LeaseRow>();
    public DbSet<DeadLetter> DeadLetters => Set<DeadLetter>();
    public DbSet<TrackerRefusal> TrackerRefusals => Set<TrackerRefusal>();
    public DbSet<UnknownTrackerSighting> UnknownTrackerSightings => Set<UnknownTrackerSighting>();
    public DbSet<WorkerRow> Workers => Set<WorkerRow>();
    public DbSet<DeliveryStatusEvent> StatusEvents => Set<DeliveryStatusEvent>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<NotificationSent> NotificationsSent => Set<NotificationSent>();
    public DbSet<ExportWatermark> ExportWatermarks => Set<ExportWatermark>();
    public DbSet<ApiClient> ApiClients => Set<ApiClient>();
    public DbSet<Shipper> Shippers => Set<Shipper>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<TrackingLink> TrackingLinks => Set<TrackingLink>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookMessage> WebhookMessages => Set<WebhookMessage>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();
    public DbSet<AdminLogEntry> AdminLog => Set<AdminLogEntry>();

    /// <summary>The Data Protection key ring every node shares (see KeyRing/).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b); // Identity's tables: staff accounts and roles
        b.Entity<StaffUser>(e =>
        {
            e.ToTable("staff_users");
            e.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        });
        b.Entity<IdentityRole>(e => e.ToTable("staff_roles"));
        b.Entity<IdentityUserRole<string>>(e => e.ToTable("staff_user_roles"));
        b.Entity<IdentityUserClaim<string>>(e => e.ToTable("staff_user_claims"));
        b.Entity<IdentityUserLogin<string>>(e => e.ToTable("staff_user_logins"));
        b.Entity<IdentityUserToken<string>>(e => e.ToTable("staff_user_tokens"));
        b.Entity<IdentityRoleClaim<string>>(e => e.ToTable("staff_role_claims"));
        b.HasPostgresExtension("postgis");

        b.Entity<Truck>(e =>
        {
            e.ToTable("trucks");
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Plate).HasMaxLength(32);
            e.HasIndex(x => x.DeviceIdHash).IsUnique().HasFilter("device_id_hash IS NOT NULL");
        });
        b.Entity<Driver>(e =>
        {
            e.ToTable("drivers");
            e.Property(x => x.Name).HasMaxLength(200);
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasOne<Truck>().WithMany().HasForeignKey(x => x.TruckId);
        });
        b.Entity<Delivery>(e =>
        {
            e.ToTable("deliveries");
            e.Property(x => x.CustomerName).HasMaxLength(200);
            e.Property(x => x.CustomerEmail).HasMaxLength(254);
            e.Property(x => x.CustomerPhone).HasMaxLength(16);
            e.Property(x => x.Locale).HasMaxLength(8);
            e.Property(x => x.PickupAddress).HasMaxLength(300);
            e.Property(x => x.DropoffAddress).HasMaxLength(300);
            e.Property(x => x.PickupLocation).HasColumnType("geometry(Point,4326)");
            e.Property(x => x.DropoffLocation).HasColumnType("geometry(Point,4326)");
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.FailureReason).HasMaxLength(500);
            e.HasIndex(x => x.TrackingTokenHash).IsUnique();
            e.HasIndex(x => new { x.DriverId, x.Status });
            e.HasOne<Truck>().WithMany().HasForeignKey(x => x.TruckId);
            e.HasOne<Driver>().WithMany().HasForeignKey(x => x.DriverId);
            e.HasOne<Shipper>().WithMany().HasForeignKey(x => x.ShipperId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ApiClient>().WithMany().HasForeignKey(x => x.ApiClientId).OnDelete(DeleteBehavior.Restrict);
            e.Property(x => x.ExternalReference).HasMaxLength(100);
            e.Property(x => x.FareAmount).HasPrecision(15, 3);
            e.Property(x => x.FareCurrency).HasMaxLength(3).IsFixedLength();
            // A booking system finds its deliveries by its own reference; one reference, one delivery per client.
            e.HasIndex(x => new { x.ApiClientId, x.ExternalReference }).IsUnique()
                .HasFilter("api_client_id IS NOT NULL AND external_reference IS NOT NULL");
            e.HasIndex(x => new { x.ShipperId, x.CreatedAt });
            e.Property(x => x.EtaKind).HasConversion<string>().HasMaxLength(16);
            // Set by PostgreSQL (default on insert, trigger deliveries_touch on update), read back by EF.
            e.Property(x => x.UpdatedAt).HasDefaultValueSql("clock_timestamp()").ValueGeneratedOnAddOrUpdate();
            e.HasIndex(x => new { x.UpdatedAt, x.Id }); // the API's list: changes in order, cursor-paged
        });
        b.Entity<TrackingLink>(e =>
        {
            e.ToTable("tracking_links");
            e.Property(x => x.Id).HasDefaultValueSql("gen_random_uuid()");
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => new { x.DeliveryId, x.CreatedAt });
            e.Property(x => x.CreatedBy).HasMaxLength(200);
            e.Property(x => x.RevokedBy).HasMaxLength(200);
            e.Property(x => x.CreatedAt).HasDefaultValueSql("clock_timestamp()");
            e.HasOne<Delivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable("idempotency_keys");
            e.HasKey(x => new { x.Owner, x.Key });
            e.Property(x => x.Owner).HasMaxLength(300);
            e.Property(x => x.Key).HasMaxLength(255);
            e.HasIndex(x => x.CreatedAt); // the clean-up's range delete
            e.HasOne<Delivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Shipper>(e =>
        {
            e.ToTable("shippers");
            e.Property(x => x.Name).HasMaxLength(200);
            e.HasIndex(x => x.Name).IsUnique();
            e.Property(x => x.ContactName).HasMaxLength(200);
            e.Property(x => x.ContactEmail).HasMaxLength(254);
            e.Property(x => x.ContactPhone).HasMaxLength(16);
            e.Property(x => x.Locale).HasMaxLength(8);
        });
        b.Entity<DeliveryStatusEvent>(e =>
        {
            e.ToTable("delivery_status_events");
            e.Property(x => x.FromStatus).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.ToStatus).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.ActorKind).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.ActorId).HasMaxLength(100);
            e.Property(x => x.Location).HasColumnType("geometry(Point,4326)");
            e.Property(x => x.Note).HasMaxLength(500);
            e.Property(x => x.Reason).HasMaxLength(500);
            e.Property(x => x.IdempotencyKey).HasMaxLength(100);
            e.HasIndex(x => new { x.DeliveryId, x.IdempotencyKey }).IsUnique();
            e.HasIndex(x => new { x.DeliveryId, x.OccurredAt });
            e.HasOne<Delivery>().WithMany().HasForeignKey(x => x.DeliveryId);
        });
        b.Entity<OutboxMessage>(e =>
        {
            e.ToTable("notification_outbox");
            e.Property(x => x.Channel).HasMaxLength(32);
            e.Property(x => x.JobId).HasMaxLength(64);
            e.HasIndex(x => new { x.StatusEventId, x.Channel }).IsUnique();
            // The dispatcher only ever scans pending rows.
            e.HasIndex(x => x.Id).HasFilter("enqueued_at IS NULL").HasDatabaseName("ix_notification_outbox_pending");
            e.HasOne<DeliveryStatusEvent>().WithMany().HasForeignKey(x => x.StatusEventId);
        });
        b.Entity<NotificationSent>(e =>
        {
            e.ToTable("notifications_sent");
            e.HasKey(x => new { x.OutboxId, x.Channel });
            e.Property(x => x.Channel).HasMaxLength(32);
            e.Property(x => x.Result).HasMaxLength(500);
        });
        b.Entity<WebhookEndpoint>(e =>
        {
            e.ToTable("webhook_endpoints");
            e.Property(x => x.Url).HasMaxLength(Integrations.Webhooks.WebhookTargets.MaxUrlLength);
            e.Property(x => x.Description).HasMaxLength(200);
            e.Property(x => x.DisabledReason).HasMaxLength(300);
            e.Property(x => x.CreatedBy).HasMaxLength(256);
            e.HasOne<ApiClient>().WithMany().HasForeignKey(x => x.ApiClientId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<WebhookMessage>(e =>
        {
            e.ToTable("webhook_messages");
            e.Property(x => x.MessageId).HasMaxLength(40);
            e.HasIndex(x => x.MessageId).IsUnique();
            e.Property(x => x.EventType).HasMaxLength(40);
            e.Property(x => x.State).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.LastError).HasMaxLength(500);
            e.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(x => x.EndpointId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Delivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
            // The dispatcher's claim, per endpoint: pending messages that are due, oldest first (waiting ones have no time).
            e.HasIndex(x => new { x.EndpointId, x.NextAttemptAt }).HasFilter("state = 'Pending' AND next_attempt_at IS NOT NULL");
            // The queue of one endpoint and delivery: which pending message is next.
            e.HasIndex(x => new { x.EndpointId, x.DeliveryId, x.Sequence }).HasFilter("state = 'Pending'");
            e.HasIndex(x => new { x.EndpointId, x.Id }); // the admin page: an endpoint's messages, newest first
            e.HasIndex(x => x.CreatedAt); // the clean-up of old messages
        });
        b.Entity<WebhookAttempt>(e =>
        {
            e.ToTable("webhook_attempts");
            e.Property(x => x.Error).HasMaxLength(500);
            e.HasIndex(x => x.MessageId);
            e.HasOne<WebhookMessage>().WithMany().HasForeignKey(x => x.MessageId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ApiClient>(e =>
        {
            e.ToTable("api_clients");
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.SecretHint).HasMaxLength(32);
            e.Property(x => x.CreatedBy).HasMaxLength(256);
            e.Property(x => x.RevokedBy).HasMaxLength(256);
            e.HasIndex(x => x.SecretHash).IsUnique();
            // A name names one active client (the logs show changes under it); a revoked one frees it.
            e.HasIndex(x => x.Name).IsUnique().HasFilter("revoked_at IS NULL").HasDatabaseName("ix_api_clients_name");
        });
        b.Entity<AdminLogEntry>(e =>
        {
            // Read newest first by id, the order it was written in: the primary key is the only index.
            e.ToTable("admin_log");
            e.Property(x => x.ActorKind).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.ActorId).HasMaxLength(Audit.AdminActor.MaxId);
            e.Property(x => x.ActorName).HasMaxLength(Audit.AdminActor.MaxName);
            e.Property(x => x.ActorEmail).HasMaxLength(Audit.AdminActor.MaxName);
            e.Property(x => x.Action).HasConversion<string>().HasMaxLength(40);
            e.Property(x => x.Format).HasConversion<string>().HasMaxLength(8);
            e.Property(x => x.TruckId).HasMaxLength(Audit.AdminActor.MaxId);
            e.Property(x => x.Detail).HasMaxLength(Audit.StaffAction.MaxDetail);
            e.Property(x => x.Outcome).HasConversion<string>().HasMaxLength(16);
        });
        b.Entity<ExportWatermark>(e =>
        {
            e.ToTable("export_watermarks");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(64);
        });
        b.Entity<PositionRow>(e =>
        {
            e.ToTable("positions");
            // One truck has one fix per device time (a re-sent upload is the same fix), and a replayed
            // record carries the same truck and time: this one key makes the consumer idempotent and
            // serves the trail queries, so the hot insert maintains a single index.
            e.HasKey(x => new { x.TruckId, x.RecordedAt });
            // The export job reads by stored_at, which grows with insertion order: a BRIN index (a
            // few pages, next to nothing per insert) lets it skip what it exported instead of
            // scanning the table, without a second B-tree on the hot path.
            e.HasIndex(x => x.StoredAt).HasMethod("brin");
            e.Property(x => x.Location).HasColumnType("geometry(Point,4326)");
            // The batch writer reads a truck's flagged fixes since its last good one (the suspect run,
            // see Quality/FixJudge) on every batch: a partial index that holds flagged fixes only
            // stays tiny and costs the hot insert nothing for good fixes.
            e.HasIndex(x => new { x.TruckId, x.RecordedAt }).HasDatabaseName("ix_positions_flagged").HasFilter("quality_flag IS NOT NULL");
        });
        b.Entity<LatestPosition>(e =>
        {
            e.ToTable("latest_positions");
            e.HasKey(x => x.TruckId);
            e.Property(x => x.Location).HasColumnType("geometry(Point,4326)");
        });
        b.Entity<LeaseRow>(e =>
        {
            e.ToTable("leases");
            e.HasKey(x => new { x.StreamName, x.ShardId });
        });
        b.Entity<WorkerRow>(e =>
        {
            e.ToTable("workers");
            e.HasKey(x => x.WorkerId);
        });
        b.Entity<DataProtectionKey>(e => e.ToTable("data_protection_keys"));
        b.Entity<TrackerRefusal>(e =>
        {
            e.ToTable("tracker_refusals");
            e.Property(x => x.Reason).HasMaxLength(500);
            e.HasIndex(x => new { x.TruckId, x.ReceivedAt });
            e.HasIndex(x => x.ReceivedAt);
            e.HasOne<Truck>().WithMany().HasForeignKey(x => x.TruckId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<UnknownTrackerSighting>(e =>
        {
            e.ToTable("unknown_tracker_ids");
            e.HasKey(x => new { x.IdHashPrefix, x.Address });
            e.Property(x => x.IdHashPrefix).HasMaxLength(16);
            e.Property(x => x.Address).HasMaxLength(64);
            e.HasIndex(x => x.LastSeen);
        });
        b.Entity<DeadLetter>(e =>
        {
            e.ToTable("dead_letters");
            e.HasIndex(x => new { x.StreamName, x.ShardId, x.SequenceNumber }).IsUnique();
        });

        UseSnakeCaseNames(b);
    }

    /// <summary>Column, key and index names in snake_case so hand-written SQL on the hot path reads naturally.</summary>
    private static void UseSnakeCaseNames(ModelBuilder b)
    {
        foreach (var entity in b.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
                property.SetColumnName(ToSnakeCase(property.Name));
            foreach (var key in entity.GetKeys())
                key.SetName(ToSnakeCase(key.GetName() ?? ""));
            foreach (var fk in entity.GetForeignKeys())
                fk.SetConstraintName(ToSnakeCase(fk.GetConstraintName() ?? ""));
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName() ?? ""));
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && !char.IsUpper(name[i - 1])) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
