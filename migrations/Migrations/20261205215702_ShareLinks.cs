using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class ShareLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "tracking_links",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    delivery_id = table.Column<Guid>(type: "uuid", nullable: false),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    token_protected = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "clock_timestamp()"),
                    created_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revoked_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tracking_links", x => x.id);
                    table.ForeignKey(
                        name: "fk_tracking_links_deliveries_delivery_id",
                        column: x => x.delivery_id,
                        principalTable: "deliveries",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tracking_links_delivery_id_created_at",
                table: "tracking_links",
                columns: new[] { "delivery_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_tracking_links_token_hash",
                table: "tracking_links",
                column: "token_hash",
                unique: true);

            // Every delivery's current link becomes its first recorded link.
            migrationBuilder.Sql("""
                INSERT INTO tracking_links (delivery_id, token_hash, token_protected, created_at)
                SELECT id, tracking_token_hash, tracking_token_protected, created_at FROM deliveries;
                """);

            // The delivery keeps its current link (notifications read it there); this keeps the table in
            // step for every writer: a new delivery or a new token records the link, and a replaced
            // token's link is revoked. Who did it comes from the transaction's sendy.actor, when set.
            migrationBuilder.Sql("""
                CREATE FUNCTION tracking_links_follow() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    actor text := NULLIF(current_setting('sendy.actor', true), '');
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        UPDATE tracking_links SET revoked_at = clock_timestamp(), revoked_by = actor
                        WHERE delivery_id = NEW.id AND token_hash = OLD.tracking_token_hash AND revoked_at IS NULL;
                    END IF;
                    INSERT INTO tracking_links (delivery_id, token_hash, token_protected, created_by)
                    VALUES (NEW.id, NEW.tracking_token_hash, NEW.tracking_token_protected, actor);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER tracking_links_follow_insert AFTER INSERT ON deliveries
                    FOR EACH ROW EXECUTE FUNCTION tracking_links_follow();
                CREATE TRIGGER tracking_links_follow_update AFTER UPDATE OF tracking_token_hash ON deliveries
                    FOR EACH ROW WHEN (OLD.tracking_token_hash IS DISTINCT FROM NEW.tracking_token_hash)
                    EXECUTE FUNCTION tracking_links_follow();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER tracking_links_follow_insert ON deliveries;
                DROP TRIGGER tracking_links_follow_update ON deliveries;
                DROP FUNCTION tracking_links_follow();
                """);

            migrationBuilder.DropTable(
                name: "tracking_links");
        }
    }
}
