using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <summary>
    /// The days retention took out of PostgreSQL (Sendy.Engine.History.PositionRetention): when,
    /// how big, and whether an archive holds them; the admin's history page lists them.
    /// </summary>
    public partial class PositionDaysDropped : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE position_days_dropped (
                    day date PRIMARY KEY,
                    estimated_rows bigint NOT NULL,
                    bytes bigint NOT NULL,
                    dropped_at timestamptz NOT NULL,
                    archived boolean NOT NULL
                );
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE position_days_dropped;");
        }
    }
}
