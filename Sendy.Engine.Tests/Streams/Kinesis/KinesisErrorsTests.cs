using System.Net;
using System.Text;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.Kinesis;

namespace Sendy.Engine.Tests.Streams.Kinesis;

public sealed class KinesisErrorsTests
{
    [Fact]
    public void an_answer_that_is_not_a_kinesis_error_keeps_its_text_in_the_exception()
    {
        var body = Encoding.UTF8.GetBytes("<html>\n  <body>403 Forbidden: blocked by egress proxy policy 7</body>\n</html>");

        var error = KinesisErrors.FromResponse("PutRecords", HttpStatusCode.Forbidden, body);

        Assert.Equal("Http403", error.ErrorCode);
        Assert.Contains("blocked by egress proxy policy 7", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public void a_server_error_page_is_unavailable_and_says_why()
    {
        var error = KinesisErrors.FromResponse("GetRecords", HttpStatusCode.BadGateway, Encoding.UTF8.GetBytes("upstream connect error"));

        Assert.IsType<StreamUnavailableException>(error);
        Assert.Contains("upstream connect error", error.Message);
    }

    [Fact]
    public void a_long_page_is_cut()
    {
        var error = KinesisErrors.FromResponse("PutRecords", HttpStatusCode.Forbidden, Encoding.UTF8.GetBytes(new string('x', 5000)));

        Assert.True(error.Message.Length < 400, error.Message);
    }
}
