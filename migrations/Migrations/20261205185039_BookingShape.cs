using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class BookingShape : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "planned_arrival_at",
                table: "deliveries",
                newName: "promised_to");

            migrationBuilder.AddColumn<Guid>(
                name: "api_client_id",
                table: "deliveries",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "external_reference",
                table: "deliveries",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "fare_amount",
                table: "deliveries",
                type: "numeric(15,3)",
                precision: 15,
                scale: 3,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "fare_currency",
                table: "deliveries",
                type: "character(3)",
                fixedLength: true,
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "notify_by",
                table: "deliveries",
                type: "text[]",
                nullable: false,
                defaultValue: new[] { "email", "sms" }); // what every delivery was told on before

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "promised_from",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "shipper_id",
                table: "deliveries",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-7000-8000-000000000001")); // Shipper.DirectId, inserted below

            migrationBuilder.CreateTable(
                name: "shippers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    contact_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    contact_email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    contact_phone = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    locale = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    notify_by = table.Column<string[]>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shippers", x => x.id);
                });

            // The shipper of every delivery booked before shippers existed, and of bookings that name none.
            migrationBuilder.Sql("""
                INSERT INTO shippers (id, name, locale, notify_by, created_at)
                VALUES ('00000000-0000-7000-8000-000000000001', 'Direct', 'ko', '{email,sms}', now())
                """);

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_api_client_id_external_reference",
                table: "deliveries",
                columns: new[] { "api_client_id", "external_reference" },
                unique: true,
                filter: "api_client_id IS NOT NULL AND external_reference IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_shipper_id_created_at",
                table: "deliveries",
                columns: new[] { "shipper_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_shippers_name",
                table: "shippers",
                column: "name",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_deliveries_api_clients_api_client_id",
                table: "deliveries",
                column: "api_client_id",
                principalTable: "api_clients",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_deliveries_shippers_shipper_id",
                table: "deliveries",
                column: "shipper_id",
                principalTable: "shippers",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_deliveries_api_clients_api_client_id",
                table: "deliveries");

            migrationBuilder.DropForeignKey(
                name: "fk_deliveries_shippers_shipper_id",
                table: "deliveries");

            migrationBuilder.DropTable(
                name: "shippers");

            migrationBuilder.DropIndex(
                name: "ix_deliveries_api_client_id_external_reference",
                table: "deliveries");

            migrationBuilder.DropIndex(
                name: "ix_deliveries_shipper_id_created_at",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "api_client_id",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "external_reference",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "fare_amount",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "fare_currency",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "notify_by",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "promised_from",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "shipper_id",
                table: "deliveries");

            migrationBuilder.RenameColumn(
                name: "promised_to",
                table: "deliveries",
                newName: "planned_arrival_at");
        }
    }
}
