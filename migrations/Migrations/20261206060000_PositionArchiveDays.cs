using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <summary>
    /// The archive's days (Sendy.Engine.History.Archive.PositionArchiver): what each day's verified
    /// archive holds (rows, objects, bytes, its manifest), the last failure and when to try again,
    /// and a restored day's hold against retention. Retention drops a day only when this says its
    /// archive is verified and the partition still holds exactly the rows archived.
    /// </summary>
    public partial class PositionArchiveDays : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE position_archive_days (
                    day date PRIMARY KEY,
                    rows bigint,
                    objects integer,
                    bytes bigint,
                    manifest_key text,
                    verified_at timestamptz,
                    attempts integer NOT NULL DEFAULT 0,
                    last_error text,
                    last_error_at timestamptz,
                    next_attempt_at timestamptz,
                    restored_at timestamptz,
                    restored_rows bigint,
                    keep_until timestamptz
                );
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE position_archive_days;");
        }
    }
}
