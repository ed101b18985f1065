using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class PositionsKeyedByTruckAndTime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The consumer already stored at most one fix per truck and device time, but rows from
            // before that rule (or from a race it lost) may repeat one: keep the first stored.
            migrationBuilder.Sql("""
                DELETE FROM positions p
                USING positions q
                WHERE q.truck_id = p.truck_id AND q.recorded_at = p.recorded_at
                  AND (q.stored_at, q.stream_name, q.shard_id, q.sequence_number)
                    < (p.stored_at, p.stream_name, p.shard_id, p.sequence_number)
                """);

            migrationBuilder.DropPrimaryKey(
                name: "pk_positions",
                table: "positions");

            migrationBuilder.DropIndex(
                name: "ix_positions_truck_id_recorded_at",
                table: "positions");

            migrationBuilder.AddPrimaryKey(
                name: "pk_positions",
                table: "positions",
                columns: new[] { "truck_id", "recorded_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_positions",
                table: "positions");

            // A recreated stream reuses shard ids and sequence numbers; the old key kept only the first.
            migrationBuilder.Sql("""
                DELETE FROM positions p
                USING positions q
                WHERE q.stream_name = p.stream_name AND q.shard_id = p.shard_id AND q.sequence_number = p.sequence_number
                  AND (q.stored_at, q.truck_id, q.recorded_at) < (p.stored_at, p.truck_id, p.recorded_at)
                """);

            migrationBuilder.AddPrimaryKey(
                name: "pk_positions",
                table: "positions",
                columns: new[] { "stream_name", "shard_id", "sequence_number" });

            migrationBuilder.CreateIndex(
                name: "ix_positions_truck_id_recorded_at",
                table: "positions",
                columns: new[] { "truck_id", "recorded_at" });
        }
    }
}
