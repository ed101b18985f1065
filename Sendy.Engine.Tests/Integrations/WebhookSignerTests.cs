using Sendy.Engine.Integrations.Webhooks;

namespace Sendy.Engine.Tests.Integrations;

/// <summary>Standard Webhooks signatures against the spec's published vectors and the StandardWebhooks package.</summary>
public sealed class WebhookSignerTests
{
    // Vector A: the reference libraries' sign test (C#, Go, JS, PHP, Python, Ruby, Java); vector B: the Rust library's.
    public static readonly TheoryData<string, string, long, string, string> Vectors = new()
    {
        { "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}""", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" },
        { "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367553, """{"email":"test@example.com","username":"test_user"}""", "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void signs_the_published_vectors_and_verifies_them_at_their_time(string secret, string id, long timestamp, string body, string signature)
    {
        Assert.Equal(signature, WebhookSigner.Header([secret], id, timestamp, body));
        Assert.Equal(signature, WebhookSigner.Sign(WebhookSigner.KeyOf(secret[WebhookSigner.SecretPrefix.Length..])!, id, timestamp, body)); // prefix optional
        Assert.Equal(signature, new StandardWebhooks.StandardWebhook(secret).Sign(id, DateTimeOffset.FromUnixTimeSeconds(timestamp), body));
        var at = DateTimeOffset.FromUnixTimeSeconds(timestamp);
        Assert.True(WebhookSigner.Verify(secret, id, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), signature, body, at));
    }

    [Fact]
    public void a_receiver_refuses_what_the_reference_suites_refuse()
    {
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id = "msg_p5jXN8AQM9LWM0D4loKWxJek", body = """{"test": 2432232314}""";
        const string good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        var at = DateTimeOffset.FromUnixTimeSeconds(1614265330);
        bool Verify(string? ts, string? header, string? msgId = id, string text = body, DateTimeOffset? now = null) =>
            WebhookSigner.Verify(secret, msgId, ts, header, text, now ?? at);

        Assert.False(Verify("1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLawdd"));
        Assert.False(Verify("1614265330", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")); // only v1 counts
        Assert.False(Verify("1614265330", "v1,"));
        Assert.True(Verify("1614265330", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + good + " v2,x")); // one good among several
        Assert.False(Verify("1614265330", good, text: body + " "));
        Assert.False(Verify("1614265330", good, now: at + WebhookSigner.Tolerance + TimeSpan.FromSeconds(1)));
        Assert.False(Verify("1614265330", good, now: at - WebhookSigner.Tolerance - TimeSpan.FromSeconds(1)));
        Assert.True(Verify("1614265330", good, now: at + WebhookSigner.Tolerance));
        Assert.False(Verify(null, good));
        Assert.False(Verify("1614265330", null));
        Assert.False(Verify("1614265330", good, msgId: null));
        Assert.False(Verify("-1614265330", good));
        Assert.False(Verify("99999999999999999999", good));
        Assert.Null(WebhookSigner.KeyOf(""));
        Assert.Null(WebhookSigner.KeyOf("whsec_"));
        Assert.Null(WebhookSigner.KeyOf("whsec_not base64!"));
        Assert.Null(WebhookSigner.KeyOf("whsec_" + Convert.ToBase64String(new byte[16]))); // too short a key
    }

    [Fact]
    public void while_a_secret_is_rotated_both_sign_and_a_receiver_with_either_accepts()
    {
        var (old, @new) = (WebhookSigner.CreateSecret(), WebhookSigner.CreateSecret());
        Assert.StartsWith(WebhookSigner.SecretPrefix, @new, StringComparison.Ordinal);
        Assert.Equal(32, WebhookSigner.KeyOf(@new)!.Length);
        var now = DateTimeOffset.UtcNow;
        var ts = now.ToUnixTimeSeconds();

        var header = WebhookSigner.Header([@new, old], "msg_1", ts, "{}");

        Assert.Equal(2, header.Split(' ').Length);
        var stamp = ts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(WebhookSigner.Verify(old, "msg_1", stamp, header, "{}", now));
        Assert.True(WebhookSigner.Verify(@new, "msg_1", stamp, header, "{}", now));
        Assert.False(WebhookSigner.Verify(WebhookSigner.CreateSecret(), "msg_1", stamp, header, "{}", now));
    }
}
