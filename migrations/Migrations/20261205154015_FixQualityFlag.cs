using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class FixQualityFlag : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "quality_flag",
                table: "positions",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_positions_flagged",
                table: "positions",
                columns: new[] { "truck_id", "recorded_at" },
                filter: "quality_flag IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_positions_flagged",
                table: "positions");

            migrationBuilder.DropColumn(
                name: "quality_flag",
                table: "positions");
        }
    }
}
