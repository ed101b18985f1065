using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Sendy.Engine.Aws;
using Sendy.Engine.Streams.Kinesis;

namespace Sendy.Engine.Tests.Streams.Kinesis;

/// <summary>
/// A fresh, uniquely named stream on the kinesalite the test command starts
/// (SENDY_TEST_KINESIS_ENDPOINT, default http://127.0.0.1:25672). One per test class, so
/// classes can run in parallel. Fails, never skips, when kinesalite is not there.
/// </summary>
public sealed class KinesaliteFixture : IAsyncLifetime
{
    public const int ShardCount = 4;

    private readonly int _shardCount;

    public KinesaliteFixture() : this(ShardCount)
    {
    }

    /// <summary>A stream of <paramref name="shardCount"/> shards instead of the usual four.</summary>
    internal KinesaliteFixture(int shardCount) => _shardCount = shardCount; // internal: a class fixture has one public constructor

    public static string Endpoint { get; } =
        Environment.GetEnvironmentVariable("SENDY_TEST_KINESIS_ENDPOINT") is { Length: > 0 } configured
            ? configured
            : "http://127.0.0.1:25672";

    public string StreamName { get; } = "sendy-test-" + Guid.NewGuid().ToString("N")[..12];

    public KinesisClient Client { get; private set; } = null!;

    public KinesisStreamWriter Writer { get; private set; } = null!;

    public KinesisShardReader Reader { get; private set; } = null!;

    public KinesisStreamAdmin Admin { get; private set; } = null!;

    public StreamSummary CreatedSummary { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await EnsureReachableAsync();
        Client = CreateClient(StreamName, shardCount: _shardCount);
        Writer = new KinesisStreamWriter(Client, TimeProvider.System);
        Reader = new KinesisShardReader(Client);
        Admin = new KinesisStreamAdmin(Client, TimeProvider.System);
        await Admin.CreateStreamAsync(CancellationToken.None);
        CreatedSummary = await Admin.WaitUntilActiveAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask; // kinesalite runs in memory; its streams go with it.

    /// <summary>A client for any stream name on the same kinesalite, signed like production but with the local dummy credentials.</summary>
    public static KinesisClient CreateClient(string streamName, string? endpoint = null, int shardCount = ShardCount)
    {
        var options = new KinesisOptions { Endpoint = endpoint ?? Endpoint, Region = "us-east-1", StreamName = streamName, ShardCount = shardCount };
        var signing = new SigV4SigningHandler(StaticAwsCredentialsSource.Local, new SigV4Scope(options.Region, "kinesis"), TimeProvider.System)
        {
            InnerHandler = new SocketsHttpHandler(),
        };
        var http = new HttpClient(signing) { BaseAddress = options.ResolveEndpoint(), Timeout = options.RequestTimeout };
        return new KinesisClient(http, Options.Create(options));
    }

    private static async Task EnsureReachableAsync()
    {
        var uri = new Uri(Endpoint);
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await tcp.ConnectAsync(uri.Host, uri.Port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException($"kinesalite not running at {Endpoint}: run ./sendy.sh test ({e.Message})", e);
        }
    }
}
