using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Sendy.Engine.Notifications;
using Sendy.Engine.Notifications.Sns;

namespace Sendy.Engine.Tests.Notifications.Sns;

/// <summary>What goes on the wire and how error answers map, for the paths moto rarely takes (throttling, 5xx).</summary>
public sealed class SnsProtocolTests
{
    private const string ErrorXml = """
        <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
          <Error><Type>Sender</Type><Code>{0}</Code><Message>boom</Message></Error>
          <RequestId>r-1</RequestId>
        </ErrorResponse>
        """;

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "Throttling", true)]
    [InlineData(HttpStatusCode.BadRequest, "ThrottledException", true)]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError", true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "Unknown", true)]
    [InlineData(HttpStatusCode.BadRequest, "InvalidParameter", false)]
    [InlineData(HttpStatusCode.Forbidden, "AuthorizationError", false)]
    [InlineData(HttpStatusCode.NotFound, "NotFound", false)]
    public void error_codes_map_to_transient_or_rejected(HttpStatusCode status, string code, bool transient)
    {
        NotificationException error = SnsErrors.FromResponse("Publish", status, string.Format(ErrorXml, code));

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(transient, error.IsTransient);
        Assert.Contains("boom", error.Message);
    }

    [Fact]
    public void an_error_without_xml_is_classified_by_status()
    {
        Assert.True(SnsErrors.FromResponse("Publish", HttpStatusCode.BadGateway, "<html>bad gateway</html>").IsTransient);
        Assert.True(SnsErrors.FromResponse("Publish", HttpStatusCode.TooManyRequests, "").IsTransient);
        Assert.False(SnsErrors.FromResponse("Publish", HttpStatusCode.BadRequest, "").IsTransient);
    }

    [Fact]
    public void an_error_without_xml_keeps_its_text_so_a_403_says_why()
    {
        var error = SnsErrors.FromResponse("Publish", HttpStatusCode.Forbidden, "<html>\n<body>Denied by proxy rule 12</body></html>");

        Assert.Equal("Http403", error.ErrorCode);
        Assert.Contains("Denied by proxy rule 12", error.Message);
    }

    [Fact]
    public async Task publish_sends_a_form_body_with_numbered_string_attributes_and_reads_the_message_id()
    {
        var handler = new CannedHandler(HttpStatusCode.OK, """
            <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
              <PublishResult><MessageId>m-42</MessageId></PublishResult>
              <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
            </PublishResponse>
            """);
        var publisher = new SnsPublisher(Client(handler));

        string id = await publisher.PublishToTopicAsync("arn:aws:sns:us-east-1:123456789012:t", "Subj", "a b&c=d 한",
            new Dictionary<string, string> { ["z"] = "2", ["a"] = "1" }, default);

        Assert.Equal("m-42", id);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", handler.ContentType);
        Assert.Equal(
            "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At&Message=a%20b%26c%3Dd%20%ED%95%9C&Subject=Subj"
            + "&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=1"
            + "&MessageAttributes.entry.2.Name=z&MessageAttributes.entry.2.Value.DataType=String&MessageAttributes.entry.2.Value.StringValue=2",
            handler.Body);
    }

    [Fact]
    public async Task sms_is_a_publish_to_a_phone_number_marked_transactional()
    {
        var handler = new CannedHandler(HttpStatusCode.OK, "<PublishResponse><PublishResult><MessageId>s-1</MessageId></PublishResult></PublishResponse>");
        var publisher = new SnsPublisher(Client(handler, smsEnabled: true));

        await publisher.SendSmsAsync("+821012345678", "hi", default);

        Assert.Contains("PhoneNumber=%2B821012345678", handler.Body);
        Assert.Contains("MessageAttributes.entry.1.Name=AWS.SNS.SMS.SMSType&MessageAttributes.entry.1.Value.DataType=String"
            + "&MessageAttributes.entry.1.Value.StringValue=Transactional", handler.Body);
        Assert.DoesNotContain("TopicArn", handler.Body);
    }

    [Fact]
    public async Task a_throttled_publish_throws_transient()
    {
        var handler = new CannedHandler(HttpStatusCode.BadRequest, string.Format(ErrorXml, "Throttling"));
        var publisher = new SnsPublisher(Client(handler));

        var error = await Assert.ThrowsAsync<NotificationTransientException>(
            () => publisher.PublishToTopicAsync("arn:aws:sns:us-east-1:123456789012:t", null, "m", new Dictionary<string, string>(), default));
        Assert.Equal("Throttling", error.ErrorCode);
    }

    private static SnsQueryClient Client(HttpMessageHandler handler, bool smsEnabled = false) =>
        new(new HttpClient(handler) { BaseAddress = new Uri("http://sns.test/") },
            Options.Create(new SnsOptions { Enabled = true, SmsEnabled = smsEnabled }));

    private sealed class CannedHandler(HttpStatusCode status, string answer) : HttpMessageHandler
    {
        public string Body { get; private set; } = "";

        public string ContentType { get; private set; } = "";

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Body = await request.Content!.ReadAsStringAsync(cancellationToken);
            ContentType = request.Content.Headers.ContentType!.ToString();
            return new HttpResponseMessage(status) { Content = new StringContent(answer, Encoding.UTF8, "text/xml") };
        }
    }
}
