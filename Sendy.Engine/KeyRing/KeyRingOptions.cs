using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sendy.Engine.KeyRing;

/// <summary>
/// How the shared Data Protection key ring is protected at rest. The keys themselves always live
/// in PostgreSQL (table data_protection_keys) so every node reads the same ring; without a
/// certificate they are stored unencrypted, which is fine where the database is the secret
/// (Development, tests) and not in production (see docs/running.md, "Several nodes").
/// </summary>
public sealed class KeyRingOptions : IValidatableObject
{
    public const string Section = "Sendy:DataProtection";

    /// <summary>Fixed for every node and every release: the ring isolates payloads by this name, and a node with another one could not read them.</summary>
    public const string ApplicationName = "Sendy";

    /// <summary>A PKCS#12 (.pfx) file whose certificate encrypts new keys and decrypts stored ones.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Older certificates still able to decrypt keys written before a rotation (paths to .pfx files, same password).</summary>
    public string[] PreviousCertificatePaths { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CertificatePath is null)
        {
            if (PreviousCertificatePaths.Length > 0)
                yield return new ValidationResult("PreviousCertificatePaths needs CertificatePath: new keys must be protected too.", [nameof(PreviousCertificatePaths)]);
            yield break;
        }
        foreach (var (path, member) in PreviousCertificatePaths.Select(p => (p, nameof(PreviousCertificatePaths))).Prepend((CertificatePath, nameof(CertificatePath))))
        {
            if (Problem(path) is { } problem)
                yield return new ValidationResult($"{Section}:{member} '{path}': {problem}", [member]);
        }
    }

    public X509Certificate2 LoadCertificate(string path) =>
        X509CertificateLoader.LoadPkcs12FromFile(path, CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);

    private string? Problem(string path)
    {
        if (!File.Exists(path)) return "no such file";
        try
        {
            using var certificate = LoadCertificate(path);
            return certificate.HasPrivateKey ? null : "the certificate has no private key, so it could not decrypt the keys";
        }
        catch (CryptographicException ex)
        {
            return "not a readable PKCS#12 file with this password (" + ex.Message + ")";
        }
    }
}
