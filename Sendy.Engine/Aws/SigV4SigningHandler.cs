using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Sendy.Engine.Aws;

/// <summary>
/// Signs every outgoing request with SigV4 for one region and service: sets Host, X-Amz-Date,
/// X-Amz-Security-Token (temporary credentials), optionally X-Amz-Content-Sha256, and
/// Authorization. Signs host, content-type and every x-amz-* header; headers that proxies or
/// the HTTP stack may rewrite (user-agent, content-length, connection) stay unsigned.
/// </summary>
public sealed class SigV4SigningHandler : DelegatingHandler
{
    private const string ContentSha256Header = "X-Amz-Content-Sha256";

    private readonly IAwsCredentialsSource _credentials;
    private readonly SigV4Scope _scope;
    private readonly TimeProvider _time;
    private readonly bool _addContentSha256;

    public SigV4SigningHandler(IAwsCredentialsSource credentials, SigV4Scope scope, TimeProvider time, bool addContentSha256Header = false)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(time);
        _credentials = credentials;
        _scope = scope;
        _time = time;
        _addContentSha256 = addContentSha256Header;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await SignAsync(request, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the signature headers to <paramref name="request"/>; returns the signature's steps.</summary>
    public async Task<SigV4Signature> SignAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Uri uri = request.RequestUri is { IsAbsoluteUri: true } absolute
            ? absolute
            : throw new InvalidOperationException("SigV4 signing needs an absolute request URI.");

        AwsCredentials credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);

        // A caller may pre-set the payload hash (e.g. "UNSIGNED-PAYLOAD"); otherwise hash the body.
        string payloadHash = request.Headers.NonValidated.TryGetValues(ContentSha256Header, out HeaderStringValues preset)
            ? preset.ToString()
            : await PayloadHashAsync(request.Content, cancellationToken).ConfigureAwait(false);

        DateTimeOffset now = _time.GetUtcNow();
        string host = uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";

        // A re-sent message (retry handler) must not carry the previous signature.
        request.Headers.Remove("Authorization");
        request.Headers.Remove("X-Amz-Date");
        request.Headers.Remove("X-Amz-Security-Token");
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("X-Amz-Date", SigV4Signer.FormatAmzDate(now));
        if (credentials.SessionToken is { } token)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        if (_addContentSha256 && preset.Count == 0)
        {
            request.Headers.TryAddWithoutValidation(ContentSha256Header, payloadHash);
        }

        var headers = new List<KeyValuePair<string, string>>(8) { new("host", host) };
        foreach ((string name, HeaderStringValues values) in request.Headers.NonValidated)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                foreach (string value in values)
                {
                    headers.Add(new(name, value));
                }
            }
        }

        if (request.Content is not null && request.Content.Headers.NonValidated.TryGetValues("Content-Type", out HeaderStringValues contentType))
        {
            headers.Add(new("content-type", contentType.ToString()));
        }

        var signing = new SigV4Request(request.Method.Method, uri.AbsolutePath, uri.Query, headers, payloadHash);
        SigV4Signature signature = SigV4Signer.Sign(signing, credentials, _scope, now);
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return signature;
    }

    private static async ValueTask<string> PayloadHashAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return SigV4Signer.EmptyPayloadHash;
        }

        // Byte-array and memory contents hand out a stream over their buffer (no copy), and
        // serialise from the buffer, not from this stream; rewind anyway for other content types.
        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        byte[] hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        if (stream.CanSeek)
        {
            stream.Position = 0;
        }

        return Convert.ToHexStringLower(hash);
    }
}
