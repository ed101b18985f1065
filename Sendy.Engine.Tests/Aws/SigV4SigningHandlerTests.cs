using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Aws;

namespace Sendy.Engine.Tests.Aws;

public sealed class SigV4SigningHandlerTests
{
    private sealed class CapturingHandler : HttpMessageHandler
    {
        public HttpRequestMessage? Request { get; private set; }

        public string? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private static (HttpClient Client, CapturingHandler Inner) Client(AwsCredentials credentials, bool contentSha256 = false)
    {
        var inner = new CapturingHandler();
        var handler = new SigV4SigningHandler(
            new StaticAwsCredentialsSource(credentials),
            new SigV4Scope("us-east-1", "service"),
            new FakeTimeProvider(SigV4TestSuite.SignedAt),
            contentSha256)
        { InnerHandler = inner };
        return (new HttpClient(handler), inner);
    }

    private static string Header(HttpRequestMessage request, string name) =>
        string.Join(",", request.Headers.GetValues(name));

    [Fact]
    public async Task signs_a_form_post_like_the_suites_post_x_www_form_urlencoded()
    {
        (HttpClient client, CapturingHandler inner) = Client(new AwsCredentials(SigV4TestSuite.AccessKey, SigV4TestSuite.SecretKey));
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("Param1=value1"));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");

        await client.PostAsync("https://example.amazonaws.com/", content);

        HttpRequestMessage sent = inner.Request!;
        Assert.Equal("20150830T123600Z", Header(sent, "X-Amz-Date"));
        Assert.Equal("example.amazonaws.com", sent.Headers.Host);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            Header(sent, "Authorization"));
        Assert.Equal("Param1=value1", inner.Body); // hashing the body must not consume it
    }

    [Fact]
    public async Task session_credentials_add_and_sign_the_security_token_like_post_sts_header_before()
    {
        (HttpClient client, CapturingHandler inner) = Client(
            new AwsCredentials(SigV4TestSuite.AccessKey, SigV4TestSuite.SecretKey, SigV4TestSuite.StsToken));

        await client.PostAsync("https://example.amazonaws.com/", content: null);

        Assert.Equal(SigV4TestSuite.StsToken, Header(inner.Request!, "X-Amz-Security-Token"));
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
            Header(inner.Request!, "Authorization"));
    }

    [Fact]
    public async Task query_is_signed_in_canonical_order_like_get_vanilla_query_order_key_case()
    {
        (HttpClient client, CapturingHandler inner) = Client(new AwsCredentials(SigV4TestSuite.AccessKey, SigV4TestSuite.SecretKey));

        await client.GetAsync("https://example.amazonaws.com/?Param2=value2&Param1=value1");

        Assert.EndsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", Header(inner.Request!, "Authorization"));
    }

    [Fact]
    public async Task content_sha256_header_is_added_and_signed_when_asked()
    {
        (HttpClient client, CapturingHandler inner) = Client(new AwsCredentials("AK", "SK"), contentSha256: true);

        await client.PostAsync("http://127.0.0.1:45672/", new StringContent("{}"));

        HttpRequestMessage sent = inner.Request!;
        Assert.Equal("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", Header(sent, "X-Amz-Content-Sha256"));
        Assert.Equal("127.0.0.1:45672", sent.Headers.Host);
        Assert.Contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,", Header(sent, "Authorization"));
    }

    [Fact]
    public async Task re_signing_a_message_replaces_the_previous_signature()
    {
        var handler = new SigV4SigningHandler(
            new StaticAwsCredentialsSource(new AwsCredentials("AK", "SK", "token")),
            new SigV4Scope("us-east-1", "kinesis"),
            new FakeTimeProvider(SigV4TestSuite.SignedAt));
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://kinesis.us-east-1.amazonaws.com/");

        SigV4Signature first = await handler.SignAsync(request, CancellationToken.None);
        SigV4Signature second = await handler.SignAsync(request, CancellationToken.None);

        Assert.Equal(first.Authorization, second.Authorization);
        Assert.Single(request.Headers.GetValues("Authorization"));
        Assert.Single(request.Headers.GetValues("X-Amz-Security-Token"));
    }
}
