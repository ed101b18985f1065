using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sendy.Migrations.Migrations
{
    /// <summary>
    /// The closed days whose primary key the partition job (Sendy.Engine.History.PartitionMaintainer)
    /// has rebuilt. Live inserts leave a day's key half full (each truck's fixes are their own
    /// insertion point, so its leaf pages split in the middle): about 160 bytes a row with the
    /// columns the key carries for trails, against about 95 once rebuilt. The job rebuilds each
    /// closed day's key once (REINDEX CONCURRENTLY: reads and writes go on) and records it here;
    /// retention removes the row with the day.
    /// </summary>
    public partial class PositionDayKeysRebuilt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE position_day_keys_rebuilt (
                    day date PRIMARY KEY,
                    rebuilt_at timestamptz NOT NULL
                );
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE position_day_keys_rebuilt;");
        }
    }
}
