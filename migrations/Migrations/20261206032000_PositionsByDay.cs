using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <summary>
    /// <c>positions</c> becomes range-partitioned by day (UTC) on device time, in place: the table is
    /// renamed aside, the partitioned one created with the same columns, key and indexes, a partition
    /// made for every day that holds fixes and for yesterday to a week ahead, plus
    /// <c>positions_default</c> for fixes whose day has none; every row is copied over, then the old
    /// table is dropped. The primary key (truck, device time) contains the partition key, as
    /// PostgreSQL requires. The partition job (Sendy.Engine.History) keeps creating days ahead.
    /// </summary>
    public partial class PositionsByDay : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE positions RENAME TO positions_unpartitioned;
                ALTER TABLE positions_unpartitioned RENAME CONSTRAINT pk_positions TO pk_positions_unpartitioned;
                ALTER INDEX ix_positions_stored_at RENAME TO ix_positions_unpartitioned_stored_at;
                ALTER INDEX ix_positions_flagged RENAME TO ix_positions_unpartitioned_flagged;

                CREATE TABLE positions (LIKE positions_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)
                    PARTITION BY RANGE (recorded_at);
                ALTER TABLE positions ADD CONSTRAINT pk_positions PRIMARY KEY (truck_id, recorded_at);
                CREATE INDEX ix_positions_stored_at ON positions USING brin (stored_at);
                CREATE INDEX ix_positions_flagged ON positions (truck_id, recorded_at) WHERE quality_flag IS NOT NULL;
                CREATE TABLE positions_default PARTITION OF positions DEFAULT;

                DO $$
                DECLARE
                    d date;
                BEGIN
                    FOR d IN
                        SELECT DISTINCT (recorded_at AT TIME ZONE 'UTC')::date FROM positions_unpartitioned
                        UNION
                        SELECT generate_series((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 7, interval '1 day')::date
                    LOOP
                        EXECUTE format('CREATE TABLE %I PARTITION OF positions FOR VALUES FROM (%L) TO (%L)',
                            'positions_' || to_char(d, 'YYYYMMDD'), d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
                    END LOOP;
                END $$;

                INSERT INTO positions SELECT * FROM positions_unpartitioned;
                DROP TABLE positions_unpartitioned;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE positions_unpartitioned (LIKE positions INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION);
                INSERT INTO positions_unpartitioned SELECT * FROM positions;
                DROP TABLE positions;
                ALTER TABLE positions_unpartitioned RENAME TO positions;
                ALTER TABLE positions ADD CONSTRAINT pk_positions PRIMARY KEY (truck_id, recorded_at);
                CREATE INDEX ix_positions_stored_at ON positions USING brin (stored_at);
                CREATE INDEX ix_positions_flagged ON positions (truck_id, recorded_at) WHERE quality_flag IS NOT NULL;
                """);
        }
    }
}
