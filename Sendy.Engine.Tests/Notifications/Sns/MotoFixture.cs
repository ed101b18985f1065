using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using Microsoft.Extensions.Options;
using Sendy.Engine.Aws;
using Sendy.Engine.Notifications.Sns;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Notifications.Sns;

/// <summary>
/// The moto server ./sendy.sh test starts (SENDY_TEST_SNS_ENDPOINT, default http://127.0.0.1:25000):
/// our SNS client signed like production with dummy credentials, and AWSSDK.SQS to read subscribed
/// queues. Fails, never skips, when moto is not there. Names are unique per test, so classes run in parallel.
/// </summary>
public sealed class MotoFixture : IAsyncLifetime, IDisposable
{
    public static string Endpoint => LocalServer.SnsEndpoint;

    public SnsQueryClient Client { get; private set; } = null!;

    public SnsPublisher Publisher { get; private set; } = null!;

    public SnsTopicAdmin Admin { get; private set; } = null!;

    public AmazonSQSClient Sqs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await LocalServer.EnsureReachableAsync("moto", Endpoint);
        // moto is a local double: on a busy machine one of its answers has taken over 10 s (the
        // production timeout). Set-up calls through this client are not what the tests check.
        Client = CreateClient(new SnsOptions { Enabled = true, Endpoint = Endpoint, SmsEnabled = true, RequestTimeout = TimeSpan.FromSeconds(60) });
        Publisher = new SnsPublisher(Client);
        Admin = new SnsTopicAdmin(Client);
        Sqs = new AmazonSQSClient(
            new BasicAWSCredentials("local", "local"),
            new AmazonSQSConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1" });
    }

    public Task DisposeAsync() => Task.CompletedTask; // moto runs in memory; its topics and queues go with it.

    public void Dispose() => Sqs?.Dispose();

    public static SnsQueryClient CreateClient(SnsOptions options)
    {
        var signing = new SigV4SigningHandler(StaticAwsCredentialsSource.Local, new SigV4Scope(options.Region, "sns"), TimeProvider.System)
        {
            InnerHandler = new SocketsHttpHandler(),
        };
        var http = new HttpClient(signing) { BaseAddress = options.ResolveEndpoint(), Timeout = options.RequestTimeout };
        return new SnsQueryClient(http, Options.Create(options));
    }

    /// <summary>moto's state dump: GET /moto-api/data.json.</summary>
    public static async Task<JsonDocument> MotoDataAsync()
    {
        using var http = new HttpClient();
        await using Stream body = await http.GetStreamAsync(new Uri(new Uri(Endpoint), "/moto-api/data.json"));
        return await JsonDocument.ParseAsync(body);
    }

    /// <summary>A new topic with a new SQS queue subscribed to it, where a test reads what the topic got.</summary>
    public async Task<(string TopicArn, string QueueUrl)> TopicWithQueueAsync(string prefix)
    {
        var topicArn = await Admin.CreateTopicAsync(UniqueName(prefix), default);
        var queueUrl = (await Sqs.CreateQueueAsync(UniqueName(prefix + "-q"))).QueueUrl;
        var queueArn = (await Sqs.GetQueueAttributesAsync(queueUrl, ["QueueArn"])).QueueARN;
        await Admin.SubscribeAsync(topicArn, "sqs", queueArn, default);
        return (topicArn, queueUrl);
    }

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
