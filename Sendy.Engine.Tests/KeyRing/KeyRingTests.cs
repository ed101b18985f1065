using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sendy.Engine.KeyRing;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.KeyRing;

/// <summary>The shared key ring on a real database: keys in PostgreSQL, optionally encrypted with a certificate.</summary>
public sealed class KeyRingTests : IAsyncLifetime, IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("sendy-keyring-").FullName;

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task a_second_node_opens_what_the_first_protected_and_the_ring_is_one_row()
    {
        using var first = Node();
        var payload = first.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello");

        using var second = Node();
        Assert.Equal("hello", second.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(payload));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM data_protection_keys"));
        Assert.Contains("<masterKey", await _db.ScalarAsync<string>("SELECT xml FROM data_protection_keys"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task with_a_certificate_the_stored_keys_are_encrypted_and_only_a_node_with_it_reads_them()
    {
        var pfx = Certificate("current");
        using var first = Node(new() { ["Sendy:DataProtection:CertificatePath"] = pfx, ["Sendy:DataProtection:CertificatePassword"] = "pw" });
        var payload = first.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello");

        var xml = await _db.ScalarAsync<string>("SELECT xml FROM data_protection_keys");
        Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal); // the master key's plain element

        using var withCertificate = Node(new() { ["Sendy:DataProtection:CertificatePath"] = pfx, ["Sendy:DataProtection:CertificatePassword"] = "pw" });
        Assert.Equal("hello", withCertificate.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(payload));

        using var without = Node();
        Assert.ThrowsAny<CryptographicException>(() => without.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(payload));
    }

    [Fact]
    public void after_a_rotation_the_previous_certificate_still_decrypts_the_old_keys()
    {
        var old = Certificate("old");
        using var before = Node(new() { ["Sendy:DataProtection:CertificatePath"] = old, ["Sendy:DataProtection:CertificatePassword"] = "pw" });
        var payload = before.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello");

        using var after = Node(new()
        {
            ["Sendy:DataProtection:CertificatePath"] = Certificate("new"),
            ["Sendy:DataProtection:CertificatePassword"] = "pw",
            ["Sendy:DataProtection:PreviousCertificatePaths:0"] = old,
        });
        Assert.Equal("hello", after.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(payload));
    }

    [Theory]
    [InlineData("missing.pfx", "pw", "no such file")]
    [InlineData("current.pfx", "wrong", "not a readable PKCS#12 file")]
    [InlineData("public-only.pfx", "pw", "has no private key")]
    public void a_bad_certificate_stops_the_start_with_a_message_that_names_it(string file, string password, string expected)
    {
        Certificate("current");
        Certificate("public-only", withPrivateKey: false);
        var path = Path.Combine(_folder, file);
        var error = Assert.Throws<OptionsValidationException>(() =>
            Node(new() { ["Sendy:DataProtection:CertificatePath"] = path, ["Sendy:DataProtection:CertificatePassword"] = password })
                .GetRequiredService<IOptions<KeyRingOptions>>().Value);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Node(Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<SendyDbContext>(o => SendyDatabase.Configure(o, _db.ConnectionString));
        services.AddSendyKeyRing(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>A self-signed RSA certificate in a .pfx under the test's folder (password "pw").</summary>
    private string Certificate(string name, bool withPrivateKey = true)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=sendy-keyring-{name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(_folder, name + ".pfx");
        using var exported = withPrivateKey ? certificate : X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert));
        File.WriteAllBytes(path, exported.Export(X509ContentType.Pkcs12, "pw"));
        return path;
    }
}
