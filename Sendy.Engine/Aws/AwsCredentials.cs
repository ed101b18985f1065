namespace Sendy.Engine.Aws;

/// <summary>One set of AWS credentials; <see cref="SessionToken"/> is set for temporary (STS, role) credentials.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    // Keep the secret out of logs and exception messages.
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SessionToken = {(SessionToken is null ? "no" : "yes")} }}";
}

/// <summary>Where request signing gets its credentials. Called per request: implementations cache and refresh.</summary>
public interface IAwsCredentialsSource
{
    ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken);
}

/// <summary>Fixed credentials: the dummy pair local emulators (kinesalite, moto) accept, or test values.</summary>
public sealed class StaticAwsCredentialsSource(AwsCredentials credentials) : IAwsCredentialsSource
{
    /// <summary>Dummy credentials for local endpoints, which check the signature's shape but not its key.</summary>
    public static StaticAwsCredentialsSource Local { get; } = new(new AwsCredentials("local", "local"));

    public AwsCredentials Credentials { get; } = credentials;

    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Credentials);
}
