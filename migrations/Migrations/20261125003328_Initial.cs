using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:postgis", ",,");

            migrationBuilder.CreateTable(
                name: "dead_letters",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    stream_name = table.Column<string>(type: "text", nullable: false),
                    shard_id = table.Column<string>(type: "text", nullable: false),
                    sequence_number = table.Column<string>(type: "text", nullable: false),
                    partition_key = table.Column<string>(type: "text", nullable: true),
                    data = table.Column<byte[]>(type: "bytea", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false),
                    failed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dead_letters", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "latest_positions",
                columns: table => new
                {
                    truck_id = table.Column<string>(type: "text", nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    location = table.Column<Point>(type: "geometry(Point,4326)", nullable: false),
                    speed_mps = table.Column<double>(type: "double precision", nullable: true),
                    heading_degrees = table.Column<double>(type: "double precision", nullable: true),
                    accuracy_meters = table.Column<double>(type: "double precision", nullable: true),
                    shard_id = table.Column<string>(type: "text", nullable: false),
                    sequence_number = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_latest_positions", x => x.truck_id);
                });

            migrationBuilder.CreateTable(
                name: "leases",
                columns: table => new
                {
                    stream_name = table.Column<string>(type: "text", nullable: false),
                    shard_id = table.Column<string>(type: "text", nullable: false),
                    owner = table.Column<string>(type: "text", nullable: true),
                    counter = table.Column<long>(type: "bigint", nullable: false),
                    last_renewed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    checkpoint = table.Column<string>(type: "text", nullable: false),
                    parent_shard_ids = table.Column<string[]>(type: "text[]", nullable: false),
                    owner_switches_since_checkpoint = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_leases", x => new { x.stream_name, x.shard_id });
                });

            migrationBuilder.CreateTable(
                name: "positions",
                columns: table => new
                {
                    shard_id = table.Column<string>(type: "text", nullable: false),
                    sequence_number = table.Column<string>(type: "text", nullable: false),
                    stream_name = table.Column<string>(type: "text", nullable: false),
                    truck_id = table.Column<string>(type: "text", nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    stored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    location = table.Column<Point>(type: "geometry(Point,4326)", nullable: false),
                    speed_mps = table.Column<double>(type: "double precision", nullable: true),
                    heading_degrees = table.Column<double>(type: "double precision", nullable: true),
                    accuracy_meters = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_positions", x => new { x.stream_name, x.shard_id, x.sequence_number });
                });

            migrationBuilder.CreateTable(
                name: "trucks",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    plate = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_trucks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "drivers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    truck_id = table.Column<string>(type: "character varying(64)", nullable: false),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_drivers", x => x.id);
                    table.ForeignKey(
                        name: "fk_drivers_trucks_truck_id",
                        column: x => x.truck_id,
                        principalTable: "trucks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "deliveries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tracking_token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    truck_id = table.Column<string>(type: "character varying(64)", nullable: false),
                    driver_id = table.Column<Guid>(type: "uuid", nullable: true),
                    customer_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_deliveries_drivers_driver_id",
                        column: x => x.driver_id,
                        principalTable: "drivers",
                        principalColumn: "id");
                    table.ForeignKey(
                        name: "fk_deliveries_trucks_truck_id",
                        column: x => x.truck_id,
                        principalTable: "trucks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_dead_letters_stream_name_shard_id_sequence_number",
                table: "dead_letters",
                columns: new[] { "stream_name", "shard_id", "sequence_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_driver_id",
                table: "deliveries",
                column: "driver_id");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_tracking_token_hash",
                table: "deliveries",
                column: "tracking_token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_truck_id",
                table: "deliveries",
                column: "truck_id");

            migrationBuilder.CreateIndex(
                name: "ix_drivers_token_hash",
                table: "drivers",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_drivers_truck_id",
                table: "drivers",
                column: "truck_id");

            migrationBuilder.CreateIndex(
                name: "ix_positions_truck_id_recorded_at",
                table: "positions",
                columns: new[] { "truck_id", "recorded_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dead_letters");

            migrationBuilder.DropTable(
                name: "deliveries");

            migrationBuilder.DropTable(
                name: "latest_positions");

            migrationBuilder.DropTable(
                name: "leases");

            migrationBuilder.DropTable(
                name: "positions");

            migrationBuilder.DropTable(
                name: "drivers");

            migrationBuilder.DropTable(
                name: "trucks");
        }
    }
}
