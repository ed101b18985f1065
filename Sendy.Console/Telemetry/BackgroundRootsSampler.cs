using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Sendy.Console.Telemetry;

/// <summary>
/// Root sampler: a trace starts at a request the node serves or at a position batch, not at an
/// outgoing call nothing asked for (the consumer's GetRecords polls every 200 ms per shard, lease
/// renewals, LISTEN, Hangfire's polling): client spans without a parent are dropped. Children
/// follow their parent (see <see cref="ParentBasedSampler"/>).
/// </summary>
public sealed class BackgroundRootsSampler : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        new(samplingParameters.Kind == ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
}
