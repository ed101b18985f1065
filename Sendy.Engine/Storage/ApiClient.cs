namespace Sendy.Engine.Storage;

/// <summary>A booking system (or any other integration) calling the API with its own secret.</summary>
public sealed class ApiClient
{
    public Guid Id { get; set; }

    /// <summary>Unique among clients that are not revoked; the admin logs show changes under it.</summary>
    public required string Name { get; set; }

    /// <summary>What the client may do (<see cref="Integrations.ApiScopes"/>).</summary>
    public required string[] Scopes { get; set; }

    /// <summary>SHA-256 of the secret; the secret itself is shown once and never stored.</summary>
    public required byte[] SecretHash { get; set; }

    /// <summary>The secret's prefix and first characters, so an admin can tell which key a log or a leak means.</summary>
    public required string SecretHint { get; set; }

    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The last authenticated call, to the minute (<see cref="Integrations.ApiClientOptions.LastUsedResolution"/>).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
}
