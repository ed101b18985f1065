using System.Diagnostics;

namespace Sendy.Engine.Consumers.Status;

/// <summary>
/// The engine's traces (System.Diagnostics, source "Sendy.Engine"): one trace per position batch,
/// from the GetRecords call that returned it through the store (PostgreSQL's own spans nest
/// inside) to the live push. Empty polls make no trace at all.
/// </summary>
public static class EngineActivities
{
    public const string SourceName = "Sendy.Engine";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The batch's root span, started back when GetRecords was asked (a page's trace begins with
    /// the read that fetched it), with the read itself as its first child. Null when nobody listens.
    /// </summary>
    public static Activity? StartBatch(string streamName, string shardId, int records, DateTimeOffset asked, DateTimeOffset answered)
    {
        var batch = Source.StartActivity("positions batch", ActivityKind.Consumer, default(ActivityContext),
            [new("sendy.stream", streamName), new("sendy.shard", shardId), new("sendy.records", records)], startTime: asked);
        if (batch is null) return null;
        using (var read = Source.StartActivity("GetRecords", ActivityKind.Client, batch.Context, [new("sendy.shard", shardId)], startTime: asked))
            read?.SetEndTime(answered.UtcDateTime);
        return batch; // current again: the read's stop restored its parent
    }

    /// <summary>A step of the current batch ("store", "live push"); null outside a traced batch.</summary>
    public static Activity? StartStep(string name) =>
        Activity.Current is { Source.Name: SourceName } ? Source.StartActivity(name, ActivityKind.Internal) : null;
}
