namespace Sendy.Engine.Storage;

/// <summary>A company that books deliveries; its defaults fill what a booking leaves out.</summary>
public sealed class Shipper
{
    /// <summary>The shipper of deliveries booked without one (and of every delivery from before shippers existed).</summary>
    public static readonly Guid DirectId = new("00000000-0000-7000-8000-000000000001");

    public Guid Id { get; set; }
    public required string Name { get; set; }
    public string? ContactName { get; set; }
    public string? ContactEmail { get; set; }

    /// <summary>E.164.</summary>
    public string? ContactPhone { get; set; }

    /// <summary>"ko" or "en": the default language of its recipients' notifications.</summary>
    public string Locale { get; set; } = "ko";

    /// <summary>The default channels its recipients are told on (<see cref="Deliveries.RecipientChannel"/>).</summary>
    public string[] NotifyBy { get; set; } = [.. Deliveries.RecipientChannel.All];

    public DateTimeOffset CreatedAt { get; set; }
}
