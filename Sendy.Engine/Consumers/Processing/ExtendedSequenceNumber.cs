using System.Globalization;
using Sendy.Engine.Leasing;

namespace Sendy.Engine.Consumers.Processing;

/// <summary>
/// A place in a shard, as KCL addresses it: a record's sequence number and, inside a KPL-aggregated
/// record, the sub-record's number (zero for plain records), or one of the sentinels
/// TRIM_HORIZON, LATEST and SHARD_END (sub-sequence zero).
/// </summary>
public readonly record struct ExtendedSequenceNumber(string SequenceNumber, long SubSequenceNumber = 0)
{
    public static ExtendedSequenceNumber TrimHorizon { get; } = new(Checkpoints.TrimHorizon);

    public static ExtendedSequenceNumber Latest { get; } = new(Checkpoints.Latest);

    public static ExtendedSequenceNumber ShardEnd { get; } = new(Checkpoints.ShardEnd);

    public bool IsSentinel => !Checkpoints.IsSequenceNumber(SequenceNumber);

    /// <summary>
    /// The lease table's checkpoint text: the sequence number alone for a plain record (what every
    /// checkpoint so far is), "sequence/sub-sequence" inside an aggregated record.
    /// </summary>
    public string ToCheckpoint() =>
        SubSequenceNumber == 0 ? SequenceNumber : $"{SequenceNumber}/{SubSequenceNumber.ToString(CultureInfo.InvariantCulture)}";

    public static ExtendedSequenceNumber FromCheckpoint(string checkpoint)
    {
        var slash = checkpoint.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return new ExtendedSequenceNumber(checkpoint);
        return new ExtendedSequenceNumber(checkpoint[..slash],
            long.Parse(checkpoint.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture));
    }

    public override string ToString() => ToCheckpoint();
}
