using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sendy.Engine.Aws;

/// <summary>The parts of an HTTP request that Signature Version 4 covers.</summary>
/// <param name="Method">HTTP method, e.g. "POST".</param>
/// <param name="Path">The path as it is sent on the wire (see <see cref="SigV4Signer.CanonicalUri"/>).</param>
/// <param name="Query">The query string without '?', as sent; empty when none.</param>
/// <param name="Headers">The headers to sign (host and x-amz-date included); a name may repeat.</param>
/// <param name="PayloadHash">Lower-case hex SHA-256 of the body.</param>
public sealed record SigV4Request(
    string Method,
    string Path,
    string Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string PayloadHash);

/// <summary>Region and service a signature is scoped to, e.g. ("eu-west-1", "kinesis").</summary>
public sealed record SigV4Scope(string Region, string Service);

/// <summary>Every intermediate of one signature, so tests can check each step.</summary>
public sealed record SigV4Signature(
    string AmzDate,
    string CredentialScope,
    string CanonicalRequest,
    string StringToSign,
    string SignedHeaders,
    string Signature,
    string Authorization);

/// <summary>
/// AWS Signature Version 4 (header form) as small pure functions: canonical request, string to
/// sign, signing key, signature, Authorization header.
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>SHA-256 of an empty body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private const string Terminator = "aws4_request";

    public static SigV4Signature Sign(SigV4Request request, AwsCredentials credentials, SigV4Scope scope, DateTimeOffset signedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(scope);

        string amzDate = FormatAmzDate(signedAt);
        string dateStamp = amzDate[..8];
        string credentialScope = CredentialScope(dateStamp, scope.Region, scope.Service);
        (string canonicalRequest, string signedHeaders) = CanonicalRequest(request);
        string stringToSign = StringToSign(amzDate, credentialScope, canonicalRequest);
        byte[] key = SigningKey(credentials.SecretAccessKey, dateStamp, scope.Region, scope.Service);
        string signature = Signature(key, stringToSign);
        string authorization = AuthorizationHeader(credentials.AccessKeyId, credentialScope, signedHeaders, signature);
        return new SigV4Signature(amzDate, credentialScope, canonicalRequest, stringToSign, signedHeaders, signature, authorization);
    }

    /// <summary>"yyyyMMddTHHmmssZ" in UTC, the x-amz-date format.</summary>
    public static string FormatAmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The canonical request and its signed-headers list.</summary>
    public static (string CanonicalRequest, string SignedHeaders) CanonicalRequest(SigV4Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        (string canonicalHeaders, string signedHeaders) = CanonicalHeaders(request.Headers);
        var sb = new StringBuilder(256);
        sb.Append(request.Method.ToUpperInvariant()).Append('\n')
          .Append(CanonicalUri(request.Path)).Append('\n')
          .Append(CanonicalQuery(request.Query)).Append('\n')
          .Append(canonicalHeaders).Append('\n')
          .Append(signedHeaders).Append('\n')
          .Append(request.PayloadHash);
        return (sb.ToString(), signedHeaders);
    }

    /// <summary>
    /// Removes empty and dot segments, then URI-encodes each segment. Given the path as sent
    /// (already percent-encoded), '%' is encoded again: the double encoding every service but S3
    /// expects. Given a raw path (as in AWS's test suite), it is encoded once.
    /// </summary>
    public static string CanonicalUri(string path)
    {
        if (string.IsNullOrEmpty(path) || path == "/")
        {
            return "/";
        }

        var segments = new List<string>();
        foreach (string segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        var sb = new StringBuilder(path.Length + 8);
        foreach (string segment in segments)
        {
            sb.Append('/');
            AppendUriEncoded(sb, segment);
        }

        bool trailingSlash = path.EndsWith('/') && segments.Count > 0;
        if (sb.Length == 0 || trailingSlash)
        {
            sb.Append('/');
        }

        return sb.ToString();
    }

    /// <summary>Parameters decoded, re-encoded (RFC 3986), sorted by name then value; "a" becomes "a=".</summary>
    public static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return string.Empty;
        }

        if (query[0] == '?')
        {
            query = query[1..];
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (string part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            string name = eq < 0 ? part : part[..eq];
            string value = eq < 0 ? string.Empty : part[(eq + 1)..];
            pairs.Add((UriEncode(Uri.UnescapeDataString(name)), UriEncode(Uri.UnescapeDataString(value))));
        }

        pairs.Sort(static (a, b) =>
        {
            int byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });

        var sb = new StringBuilder(query.Length + 16);
        for (int i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('&');
            }

            sb.Append(pairs[i].Name).Append('=').Append(pairs[i].Value);
        }

        return sb.ToString();
    }

    /// <summary>
    /// Lower-case names sorted; values trimmed with inner runs of spaces collapsed; repeated names
    /// joined by ',' in the order given. Returns the block (each line ending in '\n') and the list.
    /// </summary>
    public static (string CanonicalHeaders, string SignedHeaders) CanonicalHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var byName = new SortedDictionary<string, StringBuilder>(StringComparer.Ordinal);
        foreach ((string name, string value) in headers)
        {
            string key = name.Trim().ToLowerInvariant();
            string canonicalValue = CollapseSpaces(value);
            if (byName.TryGetValue(key, out StringBuilder? existing))
            {
                existing.Append(',').Append(canonicalValue);
            }
            else
            {
                byName.Add(key, new StringBuilder(canonicalValue));
            }
        }

        var block = new StringBuilder(256);
        var signed = new StringBuilder(64);
        foreach ((string name, StringBuilder value) in byName)
        {
            block.Append(name).Append(':').Append(value).Append('\n');
            if (signed.Length > 0)
            {
                signed.Append(';');
            }

            signed.Append(name);
        }

        return (block.ToString(), signed.ToString());
    }

    public static string CredentialScope(string dateStamp, string region, string service) =>
        string.Concat(dateStamp, "/", region, "/", service, "/", Terminator);

    public static string StringToSign(string amzDate, string credentialScope, string canonicalRequest) =>
        string.Concat(Algorithm, "\n", amzDate, "\n", credentialScope, "\n", HashHex(Encoding.UTF8.GetBytes(canonicalRequest)));

    /// <summary>HMAC chain "AWS4"+secret → date → region → service → "aws4_request".</summary>
    public static byte[] SigningKey(string secretAccessKey, string dateStamp, string region, string service)
    {
        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(dateStamp));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Terminator));
    }

    public static string Signature(byte[] signingKey, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    public static string AuthorizationHeader(string accessKeyId, string credentialScope, string signedHeaders, string signature) =>
        string.Concat(Algorithm, " Credential=", accessKeyId, "/", credentialScope, ", SignedHeaders=", signedHeaders, ", Signature=", signature);

    public static string HashHex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>RFC 3986 encoding of UTF-8 bytes: unreserved characters kept, everything else %XX (upper-case).</summary>
    public static string UriEncode(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        AppendUriEncoded(sb, value);
        return sb.ToString();
    }

    private static void AppendUriEncoded(StringBuilder sb, string value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
                continue;
            }

            int length;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(i, 2), utf8);
                i++;
            }
            else
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            }

            for (int b = 0; b < length; b++)
            {
                sb.Append('%').Append(HexUpper[utf8[b] >> 4]).Append(HexUpper[utf8[b] & 0xF]);
            }
        }
    }

    private const string HexUpper = "0123456789ABCDEF";

    private static string CollapseSpaces(string value)
    {
        ReadOnlySpan<char> trimmed = value.AsSpan().Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed.ToString();
        }

        var sb = new StringBuilder(trimmed.Length);
        bool previousSpace = false;
        foreach (char c in trimmed)
        {
            if (c == ' ')
            {
                if (!previousSpace)
                {
                    sb.Append(c);
                }

                previousSpace = true;
            }
            else
            {
                sb.Append(c);
                previousSpace = false;
            }
        }

        return sb.ToString();
    }
}
