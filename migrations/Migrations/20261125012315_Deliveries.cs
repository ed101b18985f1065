using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Deliveries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_deliveries_trucks_truck_id",
                table: "deliveries");

            migrationBuilder.DropIndex(
                name: "ix_deliveries_driver_id",
                table: "deliveries");

            migrationBuilder.AlterColumn<string>(
                name: "truck_id",
                table: "deliveries",
                type: "character varying(64)",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(64)");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "at_pickup_at",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "closed_at",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "customer_email",
                table: "deliveries",
                type: "character varying(254)",
                maxLength: 254,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "customer_phone",
                table: "deliveries",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "delivered_at",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "dropoff_address",
                table: "deliveries",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<Point>(
                name: "dropoff_location",
                table: "deliveries",
                type: "geometry(Point,4326)",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "estimated_arrival_at",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "failure_reason",
                table: "deliveries",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "locale",
                table: "deliveries",
                type: "character varying(8)",
                maxLength: 8,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "picked_up_at",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "pickup_address",
                table: "deliveries",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<Point>(
                name: "pickup_location",
                table: "deliveries",
                type: "geometry(Point,4326)",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "planned_arrival_at",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "status_changed_at",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "tracking_expires_at",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "tracking_token_protected",
                table: "deliveries",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "delivery_status_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    delivery_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from_status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    to_status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    actor_kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    actor_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    location = table.Column<Point>(type: "geometry(Point,4326)", nullable: true),
                    note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    idempotency_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_status_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_delivery_status_events_deliveries_delivery_id",
                        column: x => x.delivery_id,
                        principalTable: "deliveries",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "export_watermarks",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    stored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    stream_name = table.Column<string>(type: "text", nullable: false),
                    shard_id = table.Column<string>(type: "text", nullable: false),
                    sequence_number = table.Column<string>(type: "text", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_export_watermarks", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "notifications_sent",
                columns: table => new
                {
                    outbox_id = table.Column<long>(type: "bigint", nullable: false),
                    channel = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    result = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications_sent", x => new { x.outbox_id, x.channel });
                });

            migrationBuilder.CreateTable(
                name: "notification_outbox",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    status_event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    delivery_id = table.Column<Guid>(type: "uuid", nullable: false),
                    channel = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    enqueued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    job_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notification_outbox", x => x.id);
                    table.ForeignKey(
                        name: "fk_notification_outbox_delivery_status_events_status_event_id",
                        column: x => x.status_event_id,
                        principalTable: "delivery_status_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_driver_id_status",
                table: "deliveries",
                columns: new[] { "driver_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_status_events_delivery_id_idempotency_key",
                table: "delivery_status_events",
                columns: new[] { "delivery_id", "idempotency_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_delivery_status_events_delivery_id_occurred_at",
                table: "delivery_status_events",
                columns: new[] { "delivery_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_notification_outbox_pending",
                table: "notification_outbox",
                column: "id",
                filter: "enqueued_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_notification_outbox_status_event_id_channel",
                table: "notification_outbox",
                columns: new[] { "status_event_id", "channel" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_deliveries_trucks_truck_id",
                table: "deliveries",
                column: "truck_id",
                principalTable: "trucks",
                principalColumn: "id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_deliveries_trucks_truck_id",
                table: "deliveries");

            migrationBuilder.DropTable(
                name: "export_watermarks");

            migrationBuilder.DropTable(
                name: "notification_outbox");

            migrationBuilder.DropTable(
                name: "notifications_sent");

            migrationBuilder.DropTable(
                name: "delivery_status_events");

            migrationBuilder.DropIndex(
                name: "ix_deliveries_driver_id_status",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "at_pickup_at",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "closed_at",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "customer_email",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "customer_phone",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "delivered_at",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "dropoff_address",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "dropoff_location",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "estimated_arrival_at",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "failure_reason",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "locale",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "picked_up_at",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "pickup_address",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "pickup_location",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "planned_arrival_at",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "status_changed_at",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "tracking_expires_at",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "tracking_token_protected",
                table: "deliveries");

            migrationBuilder.AlterColumn<string>(
                name: "truck_id",
                table: "deliveries",
                type: "character varying(64)",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_driver_id",
                table: "deliveries",
                column: "driver_id");

            migrationBuilder.AddForeignKey(
                name: "fk_deliveries_trucks_truck_id",
                table: "deliveries",
                column: "truck_id",
                principalTable: "trucks",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
