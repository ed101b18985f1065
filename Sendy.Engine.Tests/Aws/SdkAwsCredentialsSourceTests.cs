using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Aws;

namespace Sendy.Engine.Tests.Aws;

public sealed class SdkAwsCredentialsSourceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private int _resolves;
    private int _failuresLeft;

    private AWSCredentials Resolve()
    {
        _resolves++;
        if (_failuresLeft-- > 0) throw new AmazonClientException("Failed to resolve AWS credentials: no role attached (yet)");
        return new BasicAWSCredentials("AKIDEXAMPLE", "secret");
    }

    [Fact]
    public async Task a_failed_load_is_retried_after_a_short_pause_not_cached_for_the_process_life()
    {
        _failuresLeft = 1;
        var source = new SdkAwsCredentialsSource(Resolve, _time);

        var first = await Assert.ThrowsAsync<AmazonClientException>(() => source.GetCredentialsAsync(default).AsTask());
        // Within the pause the same failure comes back at once: callers do not each probe the chain.
        var again = await Assert.ThrowsAsync<AmazonClientException>(() => source.GetCredentialsAsync(default).AsTask());
        Assert.Same(first, again);
        Assert.Equal(1, _resolves);

        _time.Advance(TimeSpan.FromSeconds(1)); // the first pause is at most 1 s
        var credentials = await source.GetCredentialsAsync(default);
        Assert.Equal("AKIDEXAMPLE", credentials.AccessKeyId);
        Assert.Equal(2, _resolves);

        // Resolved once, kept: the SDK refreshes what it resolved.
        await source.GetCredentialsAsync(default);
        Assert.Equal(2, _resolves);
    }

    [Fact]
    public async Task repeated_failures_wait_longer_each_time_up_to_the_ceiling_and_recover()
    {
        _failuresLeft = 20;
        var source = new SdkAwsCredentialsSource(Resolve, _time);
        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<AmazonClientException>(() => source.GetCredentialsAsync(default).AsTask());
            _time.Advance(TimeSpan.FromSeconds(30)); // the longest pause
        }
        Assert.Equal(10, _resolves);

        // Right after a failure with a grown pause, a second later is still inside it.
        await Assert.ThrowsAsync<AmazonClientException>(() => source.GetCredentialsAsync(default).AsTask());
        _time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<AmazonClientException>(() => source.GetCredentialsAsync(default).AsTask());
        Assert.Equal(11, _resolves);

        _failuresLeft = 0;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("AKIDEXAMPLE", (await source.GetCredentialsAsync(default)).AccessKeyId);
        Assert.Equal(12, _resolves);
    }
}
