using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.Consumers;

/// <summary>Consumer and lease timing. Derived intervals are computed, not configured twice.</summary>
public sealed class ConsumerOptions
{
    public const string Section = "Sendy:Consumer";

    /// <summary>Turns the hosted consumer off (e.g. an API-only node).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>This node's identity in the lease table; unique per process by default.</summary>
    [Required, MaxLength(200)]
    public string WorkerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A lease not renewed within this time is free to take (KCL default 10 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RenewInterval => LeaseDuration / 3;

    /// <summary>How often ListShards runs to find new shards (also run at once when a shard ends).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ShardSyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Minimum time between GetRecords calls on one shard: AWS allows 5 per second per shard.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan GetRecordsInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    [Range(1, 10_000)]
    public int MaxRecordsPerCall { get; set; } = 10_000;

    /// <summary>First and largest pause after a failure (jittered, doubling).</summary>
    public TimeSpan BackoffInitial { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a consumer waiting on parent shards checks them again.</summary>
    public TimeSpan ParentPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a stop takes. Batches in flight drain for the first half (a batch cut off there
    /// rolls back with its checkpoint, so nothing is lost: it is read again); leases are released
    /// until three quarters; the worker row is removed until the end. Whatever has not finished by
    /// then is left: an unreleased lease expires after <see cref="LeaseDuration"/>, a stale worker
    /// row shows as such. Must be shorter than the host's shutdown timeout (checked on start).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan DrainTime => ShutdownGrace / 2;

    public TimeSpan ReleaseTime => ShutdownGrace * 3 / 4;
}

/// <summary>A consumer's stop must end before the host gives up on the whole shutdown.</summary>
public sealed class ConsumerOptionsValidator(IOptions<HostOptions> host) : IValidateOptions<ConsumerOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsumerOptions options)
    {
        var timeout = host.Value.ShutdownTimeout;
        return options.ShutdownGrace < timeout
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{ConsumerOptions.Section}:ShutdownGrace ({options.ShutdownGrace}) must be shorter than the host's shutdown timeout ({timeout}).");
    }
}
