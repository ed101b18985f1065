using System.Text;
using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Tests.Deliveries.Logs;

public sealed class DeliveryLogCsvTests(DeliveryLogData data) : IClassFixture<DeliveryLogData>
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("plain", "plain")]
    [InlineData("한빛 물류", "한빛 물류")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+82 10", "'+82 10")]
    [InlineData("-5", "'-5")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("=A1,B1", "\"'=A1,B1\"")]
    [InlineData("a=b", "a=b")]
    public void fields_are_quoted_when_needed_and_formulas_stay_text(string? value, string expected)
    {
        Assert.Equal(expected, DeliveryLogCsv.Field(value));
    }

    [Fact]
    public async Task deliveries_export_is_utf8_with_bom_korean_intact_and_formulas_defused()
    {
        using var output = new MemoryStream();
        await DeliveryLogCsv.WriteDeliveriesAsync(output,
            data.LogQueries.AllDeliveriesAsync(new DeliveryLogFilter(), DeliveryLogSort.CreatedAt, false, default), null, default);

        var bytes = output.ToArray();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n");
        Assert.Equal("delivery_id,created_at_utc,customer,truck_id,truck,driver,status,picked_up_at_utc,delivered_at_utc", lines[0]);
        Assert.Equal($"{data.Formula},2026-11-24 23:59:59,\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"click\"\")\",lg-1,Truck One,Kim Minsu,Cancelled,,", lines[1]);
        Assert.Equal($"{data.Acme},2026-11-25 01:00:00,ACME Logistics,lg-1,Truck One,Kim Minsu,Delivered,2026-11-25 02:00:00,2026-11-25 05:00:00", lines[2]);
        Assert.Equal($"{data.Hanbit},2026-11-25 03:00:00,한빛 물류,lg-2,Truck Two,Lee Jiwoo,InTransit,2026-11-25 04:00:00,", lines[3]);
        Assert.Equal(6, lines.Length); // 4 rows, the header, and the empty string after the last line break
        Assert.Equal("", lines[^1]);
    }

    [Fact]
    public async Task status_events_export_escapes_notes()
    {
        using var output = new MemoryStream();
        await DeliveryLogCsv.WriteStatusEventsAsync(output,
            data.LogQueries.AllStatusEventsAsync(new DeliveryLogFilter(Delivery: "한빛", Status: DeliveryStatus.PickedUp), StatusEventLogSort.OccurredAt, false, default),
            null, default);

        var lines = Encoding.UTF8.GetString(output.ToArray()[3..]).Split("\r\n");
        Assert.Equal("event_id,occurred_at_utc,delivery_id,customer,from_status,to_status,actor_kind,actor,note,reason", lines[0]);
        Assert.EndsWith($",2026-11-25 04:00:00,{data.Hanbit},한빛 물류,DriverAssigned,PickedUp,Driver,Lee Jiwoo,\"문 앞에 두세요, \"\"조심\"\"\",", lines[1]);
        Assert.Equal(3, lines.Length);
    }
}
