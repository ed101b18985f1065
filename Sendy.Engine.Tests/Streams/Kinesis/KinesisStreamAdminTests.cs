using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Aws;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.Kinesis;

namespace Sendy.Engine.Tests.Streams.Kinesis;

/// <summary>
/// Local stream set-up when the stream server is slow: a node started while kinesalite was busy
/// (the SIGKILL fault test's restarted node, once) failed its start on one CreateStream timeout.
/// </summary>
public sealed class KinesisStreamAdminTests
{
    private const string Active = """{"StreamDescriptionSummary":{"StreamName":"positions","StreamStatus":"ACTIVE","OpenShardCount":2}}""";
    private readonly FakeKinesisHandler _fake = new();

    private KinesisStreamAdmin Admin()
    {
        var options = new KinesisOptions { Region = "eu-west-1", StreamName = "positions", StatusPollInterval = TimeSpan.FromMilliseconds(1) };
        var signing = new SigV4SigningHandler(new StaticAwsCredentialsSource(new AwsCredentials("AKID", "SECRET", null)),
            new SigV4Scope(options.Region, "kinesis"), new FakeTimeProvider(DateTimeOffset.UnixEpoch))
        { InnerHandler = _fake };
        var client = new KinesisClient(new HttpClient(signing) { BaseAddress = options.ResolveEndpoint() }, Options.Create(options));
        return new KinesisStreamAdmin(client, TimeProvider.System);
    }

    private static HttpResponseMessage Unreachable(SentRequest _) => throw new HttpRequestException("connection refused");

    [Fact]
    public async Task ensure_asks_again_when_the_stream_server_does_not_answer_until_it_does()
    {
        _fake.Then(Unreachable).Then(Unreachable).Then(HttpStatusCode.OK, "")
            .Then(Unreachable).Then(HttpStatusCode.OK, Active);

        var summary = await Admin().EnsureStreamAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.True(summary.IsActive);
        Assert.Equal(
            ["CreateStream", "CreateStream", "CreateStream", "DescribeStreamSummary", "DescribeStreamSummary"],
            _fake.Sent.Select(s => s.Target.Replace("Kinesis_20131202.", "", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task a_create_that_timed_out_but_happened_is_waited_for()
    {
        _fake.Then(Unreachable)
            .Then(HttpStatusCode.BadRequest, """{"__type":"ResourceInUseException","message":"Stream positions already exists"}""")
            .Then(HttpStatusCode.OK, Active);

        var summary = await Admin().EnsureStreamAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.True(summary.IsActive);
        Assert.Equal(3, _fake.Sent.Count);
    }

    [Fact]
    public async Task past_its_timeout_the_set_up_fails_with_the_stream_servers_error()
    {
        _fake.Then(Unreachable);

        await Assert.ThrowsAsync<StreamUnavailableException>(() => Admin().EnsureStreamAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.Single(_fake.Sent);
    }
}
