using System.Net;
using System.Text;
using System.Text.Json;

namespace Sendy.Engine.Tests.Streams.Kinesis;

/// <summary>Answers Kinesis calls with canned responses, for paths kinesalite never takes; records what was sent.</summary>
internal sealed class FakeKinesisHandler : HttpMessageHandler
{
    private readonly Queue<Func<SentRequest, HttpResponseMessage>> _answers = new();

    public List<SentRequest> Sent { get; } = [];

    public FakeKinesisHandler Then(HttpStatusCode status, string body)
    {
        _answers.Enqueue(_ => Answer(status, body));
        return this;
    }

    public FakeKinesisHandler Then(Func<SentRequest, HttpResponseMessage> answer)
    {
        _answers.Enqueue(answer);
        return this;
    }

    public FakeKinesisHandler Always(HttpStatusCode status, string body)
    {
        for (int i = 0; i < 100; i++)
        {
            Then(status, body);
        }

        return this;
    }

    public static HttpResponseMessage Answer(HttpStatusCode status, string body)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var sent = new SentRequest(
            request.Headers.TryGetValues("X-Amz-Target", out var target) ? string.Join(",", target) : "",
            request.Content?.Headers.ContentType?.ToString() ?? "",
            request.Headers.TryGetValues("Authorization", out var auth) ? string.Join(",", auth) : "",
            body);
        Sent.Add(sent);
        if (_answers.Count == 0)
        {
            throw new InvalidOperationException($"No canned answer left for {sent.Target}.");
        }

        return _answers.Dequeue()(sent);
    }
}

internal sealed record SentRequest(string Target, string ContentType, string Authorization, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
