using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sendy.Engine.Resilience;
using Sendy.Engine.Streams.Kinesis;

namespace Sendy.Engine.Tests.Resilience;

/// <summary>The one whole-request HTTP retry: only requests safe to repeat, only transient failures, at most twice.</summary>
public sealed class HttpRetryTests
{
    /// <summary>Answers from a script (a status, or null for a connection failure) and counts the attempts.</summary>
    private sealed class ScriptedHandler(params HttpStatusCode?[] answers) : HttpMessageHandler
    {
        public int Attempts { get; private set; }
        public List<HttpRequestMessage> Seen { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add(request);
            var answer = answers[Math.Min(Attempts, answers.Length - 1)];
            Attempts++;
            if (answer is not { } status) throw new HttpRequestException("connection refused");
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("{}"), RequestMessage = request });
        }
    }

    private static HttpClient Client(ScriptedHandler handler)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("t", c => c.BaseAddress = new Uri("http://127.0.0.1:9/"))
            .AddIdempotentRetry(firstDelay: TimeSpan.Zero)
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient("t");
    }

    private static HttpRequestMessage Post(bool marked)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/x") { Content = new StringContent("{\"q\":1}", Encoding.UTF8, "application/json") };
        return marked ? request.MarkIdempotent() : request;
    }

    [Fact]
    public async Task a_get_is_retried_after_a_transient_failure()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var response = await Client(handler).GetAsync("/x");
        Assert.Equal((HttpStatusCode.OK, 2), (response.StatusCode, handler.Attempts));
    }

    [Fact]
    public async Task a_refused_connection_is_transient_too()
    {
        var handler = new ScriptedHandler(null, HttpStatusCode.OK);
        using var response = await Client(handler).GetAsync("/x");
        Assert.Equal((HttpStatusCode.OK, 2), (response.StatusCode, handler.Attempts));
    }

    [Fact]
    public async Task an_unmarked_post_is_sent_once_and_its_failure_reaches_the_caller()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var response = await Client(handler).SendAsync(Post(marked: false));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, 1), (response.StatusCode, handler.Attempts));
    }

    [Fact]
    public async Task a_marked_post_is_resent_whole_with_its_body()
    {
        var handler = new ScriptedHandler(HttpStatusCode.InternalServerError, HttpStatusCode.TooManyRequests, HttpStatusCode.OK);
        using var response = await Client(handler).SendAsync(Post(marked: true));
        Assert.Equal((HttpStatusCode.OK, 3), (response.StatusCode, handler.Attempts));
        Assert.Equal("{\"q\":1}", await handler.Seen[^1].Content!.ReadAsStringAsync());
    }

    [Fact]
    public async Task a_client_error_is_not_retried()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadRequest, HttpStatusCode.OK);
        using var response = await Client(handler).GetAsync("/x");
        Assert.Equal((HttpStatusCode.BadRequest, 1), (response.StatusCode, handler.Attempts));
    }

    [Fact]
    public async Task retries_stop_after_two()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable);
        using var response = await Client(handler).GetAsync("/x");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, 1 + HttpRetry.MaxRetries), (response.StatusCode, handler.Attempts));
    }

    [Theory]
    [InlineData("ListShards", true)]
    [InlineData("DescribeStreamSummary", true)]
    [InlineData("PutRecords", false)] // no key to dedupe on; the writer resends only refused records
    [InlineData("GetRecords", false)] // the shard consumer's loop retries with a fresh iterator
    [InlineData("GetShardIterator", false)]
    [InlineData("CreateStream", false)]
    public async Task the_stream_client_marks_only_its_reads_that_no_loop_retries(string operation, bool marked)
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        var options = new KinesisOptions { Region = "us-east-1", StreamName = "s", Endpoint = "http://127.0.0.1:9" };
        var client = new KinesisClient(new HttpClient(handler) { BaseAddress = options.ResolveEndpoint() }, Options.Create(options));

        await client.SendAsync(operation, 0, (_, _) => { }, (_, _) => 0, CancellationToken.None);

        Assert.Equal(marked, HttpRetry.IsIdempotent(Assert.Single(handler.Seen)));
    }
}
