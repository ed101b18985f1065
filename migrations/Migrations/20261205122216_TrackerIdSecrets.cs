using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class TrackerIdSecrets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "device_id_hash",
                table: "trucks",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "device_id_legacy",
                table: "trucks",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "device_id_set_at",
                table: "trucks",
                type: "timestamp with time zone",
                nullable: true);

            // Ids registered before this migration were typed by an admin: they keep working, hashed,
            // marked legacy so the fleet page warns until a Sendy-issued id replaces them.
            migrationBuilder.Sql("""
                UPDATE trucks
                SET device_id_hash = sha256(convert_to(device_id, 'UTF8')), device_id_legacy = true, device_id_set_at = now()
                WHERE device_id IS NOT NULL
                """);

            migrationBuilder.DropIndex(
                name: "ix_trucks_device_id",
                table: "trucks");

            migrationBuilder.DropColumn(
                name: "device_id",
                table: "trucks");

            migrationBuilder.CreateTable(
                name: "tracker_refusals",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    truck_id = table.Column<string>(type: "character varying(64)", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    data = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tracker_refusals", x => x.id);
                    table.ForeignKey(
                        name: "fk_tracker_refusals_trucks_truck_id",
                        column: x => x.truck_id,
                        principalTable: "trucks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "unknown_tracker_ids",
                columns: table => new
                {
                    id_hash_prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    first_seen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_seen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_unknown_tracker_ids", x => new { x.id_hash_prefix, x.address });
                });

            migrationBuilder.CreateIndex(
                name: "ix_trucks_device_id_hash",
                table: "trucks",
                column: "device_id_hash",
                unique: true,
                filter: "device_id_hash IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_tracker_refusals_received_at",
                table: "tracker_refusals",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_tracker_refusals_truck_id_received_at",
                table: "tracker_refusals",
                columns: new[] { "truck_id", "received_at" });

            migrationBuilder.CreateIndex(
                name: "ix_unknown_tracker_ids_last_seen",
                table: "unknown_tracker_ids",
                column: "last_seen");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tracker_refusals");

            migrationBuilder.DropTable(
                name: "unknown_tracker_ids");

            migrationBuilder.DropIndex(
                name: "ix_trucks_device_id_hash",
                table: "trucks");

            migrationBuilder.DropColumn(
                name: "device_id_hash",
                table: "trucks");

            migrationBuilder.DropColumn(
                name: "device_id_legacy",
                table: "trucks");

            migrationBuilder.DropColumn(
                name: "device_id_set_at",
                table: "trucks");

            migrationBuilder.AddColumn<string>(
                name: "device_id",
                table: "trucks",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_trucks_device_id",
                table: "trucks",
                column: "device_id",
                unique: true,
                filter: "device_id IS NOT NULL");
        }
    }
}
