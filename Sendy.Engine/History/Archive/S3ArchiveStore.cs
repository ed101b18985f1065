using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.History.Archive;

/// <summary>
/// The archive in an S3 bucket through AWSSDK.S3: AWS (the SDK's credential chain) or, with
/// <see cref="ArchiveOptions.ServiceUrl"/> on this machine, moto's S3 (path-style, dummy keys).
/// The SDK retries a failed request twice (its standard mode); what still fails is an
/// <see cref="ArchiveStoreException"/> and the archiver tries the day again later, with backoff.
/// </summary>
public sealed class S3ArchiveStore : IArchiveStore, IDisposable
{
    /// <summary>The lifecycle rule the archiver owns on the bucket.</summary>
    public const string LifecycleRuleId = "sendy-archive-retention";

    private readonly AmazonS3Client _s3;
    private readonly ArchiveOptions _options;
    private readonly string _bucket;

    public S3ArchiveStore(IOptions<ArchiveOptions> options)
    {
        _options = options.Value;
        _bucket = _options.Bucket ?? throw new InvalidOperationException("Sendy:Archive:Bucket is not set.");
        _s3 = CreateClient(_options);
    }

    /// <summary>A client for <paramref name="options"/> (tests use it to read the bucket back).</summary>
    public static AmazonS3Client CreateClient(ArchiveOptions options)
    {
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 2,
            Timeout = options.RequestTimeout,
            // Checksums only where S3 asks for them: moto's S3 and some S3-compatible stores do not take every kind.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrWhiteSpace(options.ServiceUrl))
            return new AmazonS3Client(new AmazonS3Config { MaxErrorRetry = 2, Timeout = options.RequestTimeout, RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region) });
        config.ServiceURL = options.ServiceUrl;
        config.ForcePathStyle = true;
        config.AuthenticationRegion = options.Region;
        var uri = new Uri(options.ServiceUrl);
        // moto takes any keys; a real S3-compatible endpoint elsewhere uses the SDK's chain.
        return uri.IsLoopback ? new AmazonS3Client(new BasicAWSCredentials("local", "local"), config) : new AmazonS3Client(config);
    }

    public async Task PrepareAsync(string prefix, int keepDays, CancellationToken cancellationToken)
    {
        await CallAsync(async () =>
        {
            if (_options.CreateBucketIfMissing)
            {
                try
                {
                    await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }, cancellationToken);
                }
                catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou")
                {
                }
            }
            await _s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
            {
                BucketName = _bucket,
                Configuration = new LifecycleConfiguration
                {
                    Rules =
                    [
                        new LifecycleRule
                        {
                            Id = LifecycleRuleId,
                            Filter = new LifecycleFilter { Prefix = prefix + "/" },
                            Expiration = new LifecycleRuleExpiration { Days = keepDays },
                            Status = LifecycleRuleStatus.Enabled,
                        },
                    ],
                },
            }, cancellationToken);
            return true;
        }, $"preparing bucket {_bucket}", cancellationToken);
    }

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            using var body = MemoryStreams.ReadOnly(content);
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = key, InputStream = body, ContentType = contentType, AutoCloseStream = false },
                cancellationToken);
            return true;
        }, $"writing {key}", cancellationToken);

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            try
            {
                using var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = key }, cancellationToken);
                if (response.ContentLength > 0 && response.ContentLength <= Array.MaxLength)
                {
                    var content = new byte[response.ContentLength]; // read straight into its array: no growing buffer, no copy
                    await response.ResponseStream.ReadExactlyAsync(content, cancellationToken);
                    return content;
                }
                using var copy = new MemoryStream();
                await response.ResponseStream.CopyToAsync(copy, cancellationToken);
                return copy.ToArray();
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return (byte[]?)null;
            }
        }, $"reading {key}", cancellationToken);

    public Task<IReadOnlyList<ArchiveObject>> ListAsync(string prefix, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            var found = new List<ArchiveObject>();
            var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix };
            ListObjectsV2Response page;
            do
            {
                page = await _s3.ListObjectsV2Async(request, cancellationToken);
                foreach (var o in page.S3Objects ?? []) found.Add(new ArchiveObject(o.Key, o.Size ?? 0));
                request.ContinuationToken = page.NextContinuationToken;
            }
            while (page.IsTruncated == true);
            return (IReadOnlyList<ArchiveObject>)found;
        }, $"listing {prefix}", cancellationToken);

    public async Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        foreach (var chunk in keys.Chunk(1000))
            await CallAsync(async () =>
            {
                var response = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = _bucket, Objects = [.. chunk.Select(k => new KeyVersion { Key = k })] },
                    cancellationToken);
                if (response.DeleteErrors is { Count: > 0 } errors)
                    throw new ArchiveStoreException($"S3 did not delete {errors.Count} object(s), e.g. {errors[0].Key}: {errors[0].Code}");
                return true;
            }, $"deleting {chunk.Length} object(s)", cancellationToken);
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex)
        {
            throw new ArchiveStoreException($"S3 bucket {_bucket}: {what} failed: {ex.ErrorCode ?? ex.StatusCode.ToString()} {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ArchiveStoreException($"S3 bucket {_bucket}: {what} failed: {ex.Message}", ex);
        }
    }

    public void Dispose() => _s3.Dispose();
}
