using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Integrations.Webhooks;

/// <summary>Webhooks: how they are sent and retried ("Sendy:Webhooks").</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Sendy:Webhooks";

    /// <summary>Run the dispatcher on this node (every node may: they share the work).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>
    /// Plain http receivers. Off outside Development (payloads carry customers' names and
    /// addresses); <see cref="WebhooksServiceCollectionExtensions"/> turns it on in Development.
    /// </summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Hosts an admin allows although they are (or resolve to) loopback, private or link-local
    /// addresses: a receiver inside the operator's network on purpose. Matched by name, case-insensitive.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>How long one attempt may take, answer included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this much of a receiver's answer is read (the rest is dropped).</summary>
    [Range(1, 1 << 20)]
    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>The wait after the first failure; it doubles per failure up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A message still failing this long after it was written is given up (and the next one of its delivery goes).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>An endpoint failing without a single success for this long is disabled and the admins are told.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Delivered and given-up messages (and their attempts) are deleted after this.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long the old secret keeps signing after a rotation, unless the rotation says otherwise.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan SecretGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Sends in flight on one node, over all endpoints.</summary>
    [Range(1, 1000)]
    public int Concurrency { get; set; } = 64;

    /// <summary>Sends in flight on one node to one endpoint: a slow receiver cannot take every slot.</summary>
    [Range(1, 1000)]
    public int PerEndpointConcurrency { get; set; } = 16;

    /// <summary>How often the dispatcher looks for due messages (a NOTIFY on sendy_webhooks wakes it sooner).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRetryDelay < FirstRetryDelay)
            yield return new ValidationResult("must not be shorter than FirstRetryDelay", [nameof(MaxRetryDelay)]);
        if (PerEndpointConcurrency > Concurrency)
            yield return new ValidationResult("must not exceed Concurrency", [nameof(PerEndpointConcurrency)]);
        if (AllowedHosts.Any(h => string.IsNullOrWhiteSpace(h) || h.Length > 253))
            yield return new ValidationResult("must be host names", [nameof(AllowedHosts)]);
    }

    public bool IsHostAllowed(string host) => AllowedHosts.Contains(host.Trim('[', ']'), StringComparer.OrdinalIgnoreCase);

    /// <summary>The lease a claimed message gets: longer than any attempt, so only a dead node's sends are taken over.</summary>
    internal TimeSpan Lease => Timeout * 3 + TimeSpan.FromSeconds(5);
}
