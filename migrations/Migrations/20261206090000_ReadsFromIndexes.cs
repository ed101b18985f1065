using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <summary>
    /// Two reads that grew with history now come from an index alone:
    /// <list type="bullet">
    /// <item>A trail (Sendy.Engine.Tracking.SimplifiedTrail) reads a truck's fixes in device-time
    /// order; rows arrive in time order across all trucks, so a truck's 10 hours sat on thousands of
    /// heap pages. The primary key (truck, device time) now carries what a trail reads (location,
    /// speed, heading, quality flag): an index-only scan over a few dozen leaf pages, on days the
    /// partition job has vacuumed (their pages all-visible). No second index: the key is rebuilt
    /// with the columns (about 35 bytes a row more).</item>
    /// <item>The dispatcher's fleet (Sendy.Engine.Fleet.PostgresFleetQueries) looks up each truck's
    /// open delivery; with months of closed deliveries that read them all. A partial index holds
    /// the open ones only.</item>
    /// </list>
    /// Raw SQL: EF Core does not model INCLUDE on a key; the model itself is unchanged.
    /// </summary>
    public partial class ReadsFromIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE positions DROP CONSTRAINT pk_positions;
                ALTER TABLE positions ADD CONSTRAINT pk_positions PRIMARY KEY (truck_id, recorded_at)
                    INCLUDE (location, speed_mps, heading_degrees, quality_flag);
                CREATE INDEX ix_deliveries_open_by_truck ON deliveries (truck_id, created_at)
                    WHERE status NOT IN ('Delivered', 'Cancelled', 'Failed');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX ix_deliveries_open_by_truck;
                ALTER TABLE positions DROP CONSTRAINT pk_positions;
                ALTER TABLE positions ADD CONSTRAINT pk_positions PRIMARY KEY (truck_id, recorded_at);
                """);
        }
    }
}
