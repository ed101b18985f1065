using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Deliveries;

/// <summary>Where links given to customers and drivers point. Bound from "Sendy" (the key is Sendy:PublicBaseUrl).</summary>
public sealed class PublicLinkOptions : IValidatableObject
{
    public const string Section = "Sendy";

    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary><see cref="PublicBaseUrl"/> with exactly one trailing slash, so relative links append to it.</summary>
    public Uri BaseUri() => new(PublicBaseUrl.TrimEnd('/') + "/");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"{Section}:PublicBaseUrl must be an absolute http(s) URL; got '{PublicBaseUrl}'.", [nameof(PublicBaseUrl)]);
    }
}
