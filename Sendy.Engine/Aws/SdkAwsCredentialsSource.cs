using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Sendy.Engine.Aws;

/// <summary>
/// AWSSDK.Core's default credential chain: environment variables, shared profile, web identity,
/// container (ECS) and instance (EC2) roles. The SDK caches and refreshes temporary credentials;
/// this only adapts its types.
/// </summary>
public sealed class SdkAwsCredentialsSource : IAwsCredentialsSource
{
    private readonly Lazy<AWSCredentials> _chain;

    public SdkAwsCredentialsSource()
        : this(static () => DefaultAWSCredentialsIdentityResolver.GetCredentials())
    {
    }

    /// <summary>For tests or a specific provider (e.g. a named profile).</summary>
    public SdkAwsCredentialsSource(Func<AWSCredentials> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        // Resolved on first use, not at start-up: the chain may probe instance metadata.
        _chain = new Lazy<AWSCredentials>(resolve, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ImmutableCredentials credentials = await _chain.Value.GetCredentialsAsync().ConfigureAwait(false);
        return new AwsCredentials(
            credentials.AccessKey,
            credentials.SecretKey,
            string.IsNullOrEmpty(credentials.Token) ? null : credentials.Token);
    }
}
