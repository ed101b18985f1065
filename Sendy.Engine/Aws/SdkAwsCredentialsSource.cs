using System.Runtime.ExceptionServices;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Aws;

/// <summary>
/// AWSSDK.Core's default credential chain: environment variables, shared profile, web identity,
/// container (ECS) and instance (EC2) roles. The SDK caches and refreshes temporary credentials;
/// this resolves the chain once it succeeds and adapts its types.
/// </summary>
/// <remarks>
/// A failed resolution is not kept for the process's life (as a <see cref="Lazy{T}"/> would keep
/// its exception): the role may be attached or the metadata service answer a moment later. For a
/// short while, growing with the common <see cref="Backoff"/> (1 s doubling to 30 s), callers get the
/// same failure at once instead of each probing the chain; the first call after that tries again.
/// </remarks>
public sealed class SdkAwsCredentialsSource : IAwsCredentialsSource
{
    private readonly Func<AWSCredentials> _resolve;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Backoff _backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    private volatile AWSCredentials? _chain;
    private ExceptionDispatchInfo? _failure;
    private DateTimeOffset _retryAt;

    public SdkAwsCredentialsSource(TimeProvider time)
        : this(static () => DefaultAWSCredentialsIdentityResolver.GetCredentials(), time)
    {
    }

    /// <summary>For tests or a specific provider (e.g. a named profile).</summary>
    public SdkAwsCredentialsSource(Func<AWSCredentials> resolve, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentNullException.ThrowIfNull(time);
        _resolve = resolve;
        _time = time;
    }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var chain = _chain ?? await ResolveAsync(cancellationToken).ConfigureAwait(false);
        ImmutableCredentials credentials = await chain.GetCredentialsAsync().ConfigureAwait(false);
        return new AwsCredentials(
            credentials.AccessKey,
            credentials.SecretKey,
            string.IsNullOrEmpty(credentials.Token) ? null : credentials.Token);
    }

    // Resolved on first use, not at start-up: the chain may probe instance metadata.
    private async Task<AWSCredentials> ResolveAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_chain is { } resolved) return resolved;
            if (_failure is { } failure && _time.GetUtcNow() < _retryAt) failure.Throw();
            try
            {
                var chain = _resolve();
                _chain = chain;
                _failure = null;
                _backoff.Reset();
                return chain;
            }
            catch (Exception ex)
            {
                _failure = ExceptionDispatchInfo.Capture(ex);
                _retryAt = _time.GetUtcNow() + _backoff.Next();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
