using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Aws;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.Kinesis;

namespace Sendy.Engine.Tests.Streams.Kinesis;

/// <summary>Paths kinesalite cannot produce, answered by a fake: partial failures, throttling, AWS-style errors, paging, child shards.</summary>
public sealed class KinesisFaultTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly FakeKinesisHandler _fake = new();
    private readonly KinesisClient _client;

    public KinesisFaultTests()
    {
        var options = new KinesisOptions
        {
            Region = "eu-west-1",
            StreamName = "positions",
            PutRetryAttempts = 3,
            PutRetryBaseDelay = TimeSpan.FromMilliseconds(1),
            PutRetryMaxDelay = TimeSpan.FromMilliseconds(2),
        };
        var signing = new SigV4SigningHandler(
            new StaticAwsCredentialsSource(new AwsCredentials("AKID", "SECRET", "TOKEN")),
            new SigV4Scope(options.Region, "kinesis"),
            new FakeTimeProvider(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)))
        {
            InnerHandler = _fake,
        };
        _client = new KinesisClient(new HttpClient(signing) { BaseAddress = options.ResolveEndpoint() }, Options.Create(options));
    }

    private KinesisStreamWriter Writer => new(_client, TimeProvider.System);

    private KinesisShardReader Reader => new(_client);

    private static OutgoingRecord Record(string key, string data = "d") => new(key, Encoding.UTF8.GetBytes(data));

    private static string Ok(params int[] shards) =>
        JsonSerializer.Serialize(new
        {
            FailedRecordCount = 0,
            Records = shards.Select((s, i) => new { SequenceNumber = $"seq-{s}-{i}", ShardId = $"shardId-00000000000{s}" }),
        });

    private static string[] Keys(SentRequest request) =>
        request.Json.GetProperty("Records").EnumerateArray().Select(r => r.GetProperty("PartitionKey").GetString()!).ToArray();

    [Fact]
    public async Task requests_are_json_1_1_posts_with_target_and_kinesis_signature()
    {
        _fake.Then(HttpStatusCode.OK, Ok(0));

        await Writer.PutAsync([Record("k", "hello")], None);

        SentRequest sent = Assert.Single(_fake.Sent);
        Assert.Equal("Kinesis_20131202.PutRecords", sent.Target);
        Assert.Equal("application/x-amz-json-1.1", sent.ContentType);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKID/20250102/eu-west-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,", sent.Authorization);
        Assert.Equal("positions", sent.Json.GetProperty("StreamName").GetString());
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("hello")), sent.Json.GetProperty("Records")[0].GetProperty("Data").GetString());
    }

    [Fact]
    public async Task partial_failure_retries_only_refused_records_and_keeps_input_order()
    {
        _fake.Then(HttpStatusCode.OK, """
            {"FailedRecordCount":2,"Records":[
              {"SequenceNumber":"s0","ShardId":"shardId-000000000000"},
              {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"},
              {"SequenceNumber":"s2","ShardId":"shardId-000000000001"},
              {"ErrorCode":"InternalFailure","ErrorMessage":"Internal service failure."}]}
            """)
            .Then(HttpStatusCode.OK, """
            {"FailedRecordCount":1,"Records":[
              {"SequenceNumber":"s1","ShardId":"shardId-000000000001"},
              {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"}]}
            """)
            .Then(HttpStatusCode.OK, """{"FailedRecordCount":0,"Records":[{"SequenceNumber":"s3","ShardId":"shardId-000000000000"}]}""");

        PutResult result = await Writer.PutAsync([Record("a"), Record("b"), Record("c"), Record("d")], None);

        Assert.Equal(["s0", "s1", "s2", "s3"], result.Records.Select(r => r.SequenceNumber));
        Assert.Equal(["shardId-000000000000", "shardId-000000000001", "shardId-000000000001", "shardId-000000000000"], result.Records.Select(r => r.ShardId));
        Assert.Equal([["a", "b", "c", "d"], ["b", "d"], ["d"]], _fake.Sent.Select(Keys));
    }

    [Fact]
    public async Task records_refused_beyond_the_retry_budget_make_the_put_unavailable()
    {
        _fake.Always(HttpStatusCode.OK, """
            {"FailedRecordCount":1,"Records":[{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"}]}
            """);

        var error = await Assert.ThrowsAsync<StreamUnavailableException>(() => Writer.PutAsync([Record("a")], None));

        Assert.Equal(1 + 3, _fake.Sent.Count); // first call + PutRetryAttempts
        Assert.Contains("ProvisionedThroughputExceededException", error.Message);
    }

    [Fact]
    public async Task a_throttled_or_failed_call_is_retried_whole()
    {
        _fake.Then(HttpStatusCode.BadRequest, """{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for stream"}""")
            .Then(HttpStatusCode.ServiceUnavailable, "")
            .Then(HttpStatusCode.OK, Ok(0, 1));

        PutResult result = await Writer.PutAsync([Record("a"), Record("b")], None);

        Assert.Equal(2, result.Records.Count);
        Assert.Equal(3, _fake.Sent.Count);
    }

    [Fact]
    public async Task a_validation_error_is_not_retried()
    {
        _fake.Then(HttpStatusCode.BadRequest, """{"__type":"ValidationException","message":"1 validation error detected"}""");

        await Assert.ThrowsAsync<StreamValidationException>(() => Writer.PutAsync([Record("a")], None));
        Assert.Single(_fake.Sent);
    }

    [Fact]
    public async Task calls_are_split_at_500_records()
    {
        _fake.Then(s => FakeKinesisHandler.Answer(HttpStatusCode.OK, Ok(Enumerable.Repeat(0, Keys(s).Length).ToArray())))
            .Then(s => FakeKinesisHandler.Answer(HttpStatusCode.OK, Ok(Enumerable.Repeat(1, Keys(s).Length).ToArray())))
            .Then(s => FakeKinesisHandler.Answer(HttpStatusCode.OK, Ok(Enumerable.Repeat(2, Keys(s).Length).ToArray())));

        PutResult result = await Writer.PutAsync(Enumerable.Range(0, 1001).Select(i => Record($"k{i}")).ToArray(), None);

        Assert.Equal([500, 500, 1], _fake.Sent.Select(s => Keys(s).Length));
        Assert.Equal(["k0", "k500", "k1000"], _fake.Sent.Select(s => Keys(s)[0]));
        Assert.Equal("shardId-000000000002", result.Records[1000].ShardId);
    }

    [Fact]
    public async Task calls_are_split_at_5_mib()
    {
        for (int i = 0; i < 2; i++)
        {
            _fake.Then(s => FakeKinesisHandler.Answer(HttpStatusCode.OK, Ok(new int[Keys(s).Length])));
        }

        var big = new byte[900 * 1024];
        await Writer.PutAsync(Enumerable.Range(0, 6).Select(i => new OutgoingRecord($"k{i}", big)).ToArray(), None);

        Assert.Equal([5, 1], _fake.Sent.Select(s => Keys(s).Length));
    }

    public static TheoryData<HttpStatusCode, string, Type, string?> ErrorAnswers() => new()
    {
        { HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.kinesis.v20131202#ResourceNotFoundException","message":"Stream positions not found"}""", typeof(ResourceNotFoundException), "ResourceNotFoundException" },
        { HttpStatusCode.BadRequest, """{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded"}""", typeof(ProvisionedThroughputExceededException), "ProvisionedThroughputExceededException" },
        { HttpStatusCode.BadRequest, """{"__type":"LimitExceededException","message":"Rate exceeded for shard"}""", typeof(ProvisionedThroughputExceededException), "ProvisionedThroughputExceededException" },
        { HttpStatusCode.BadRequest, """{"__type":"ExpiredIteratorException","message":"Iterator expired"}""", typeof(ExpiredIteratorException), "ExpiredIteratorException" },
        { HttpStatusCode.BadRequest, """{"__type":"ResourceInUseException","message":"Stream positions is CREATING"}""", typeof(ResourceInUseException), "ResourceInUseException" },
        { HttpStatusCode.BadRequest, """{"__type":"ValidationException","Message":"1 validation error detected"}""", typeof(StreamValidationException), "ValidationException" },
        { HttpStatusCode.BadRequest, """{"__type":"InvalidArgumentException","message":"Invalid ShardIterator."}""", typeof(StreamValidationException), "InvalidArgumentException" },
        { HttpStatusCode.RequestEntityTooLarge, "", typeof(StreamValidationException), "RequestEntityTooLarge" },
        { HttpStatusCode.InternalServerError, """{"__type":"InternalFailure"}""", typeof(StreamUnavailableException), "StreamUnavailable" },
        { HttpStatusCode.BadGateway, "<html>bad gateway</html>", typeof(StreamUnavailableException), "StreamUnavailable" },
        { HttpStatusCode.BadRequest, """{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}""", typeof(StreamException), "UnrecognizedClientException" },
    };

    [Theory]
    [MemberData(nameof(ErrorAnswers))]
    public async Task error_answers_map_to_typed_exceptions(HttpStatusCode status, string body, Type expected, string? errorCode)
    {
        _fake.Then(status, body);

        StreamException error = await Assert.ThrowsAnyAsync<StreamException>(() => Reader.GetRecordsAsync("iterator", 100, None));

        Assert.IsType(expected, error);
        Assert.Equal(errorCode, error.ErrorCode);
    }

    [Fact]
    public async Task error_message_is_read_from_message_or_capital_message()
    {
        _fake.Then(HttpStatusCode.BadRequest, """{"__type":"ExpiredIteratorException","Message":"Iterator expired at 12:00"}""");

        var error = await Assert.ThrowsAsync<ExpiredIteratorException>(() => Reader.GetRecordsAsync("iterator", 100, None));

        Assert.Contains("Iterator expired at 12:00", error.Message);
    }

    [Fact]
    public async Task list_shards_follows_next_token_and_sends_only_the_token_after_the_first_page()
    {
        _fake.Then(HttpStatusCode.OK, """
            {"NextToken":"page-2","Shards":[
              {"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},
               "SequenceNumberRange":{"StartingSequenceNumber":"100","EndingSequenceNumber":"200"}}]}
            """)
            .Then(HttpStatusCode.OK, """
            {"Shards":[
              {"ShardId":"shardId-000000000000","SequenceNumberRange":{"StartingSequenceNumber":"100","EndingSequenceNumber":"200"}},
              {"ShardId":"shardId-000000000001","ParentShardId":"shardId-000000000000","SequenceNumberRange":{"StartingSequenceNumber":"300"}},
              {"ShardId":"shardId-000000000002","ParentShardId":"shardId-000000000000","AdjacentParentShardId":"shardId-000000000009","SequenceNumberRange":{"StartingSequenceNumber":"301"}}]}
            """);

        IReadOnlyList<ShardDescription> shards = await Reader.ListShardsAsync(None);

        Assert.Equal(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"], shards.Select(s => s.ShardId));
        Assert.True(shards[0].IsClosed);
        Assert.Equal("200", shards[0].EndingSequenceNumber);
        Assert.Equal(["shardId-000000000000"], shards[1].ParentShardIds);
        Assert.Equal(["shardId-000000000000", "shardId-000000000009"], shards[2].ParentShardIds);
        Assert.Equal("positions", _fake.Sent[0].Json.GetProperty("StreamName").GetString());
        Assert.False(_fake.Sent[1].Json.TryGetProperty("StreamName", out _));
        Assert.Equal("page-2", _fake.Sent[1].Json.GetProperty("NextToken").GetString());
    }

    [Fact]
    public async Task get_records_at_a_closed_shards_end_has_no_next_iterator_and_names_child_shards()
    {
        _fake.Then(HttpStatusCode.OK, """
            {"Records":[{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898","ApproximateArrivalTimestamp":1.440938160123E9,
                          "Data":"aGVsbG8=","PartitionKey":"truck-7","EncryptionType":"NONE"}],
             "MillisBehindLatest":0,"NextShardIterator":null,
             "ChildShards":[{"ShardId":"shardId-000000000003","ParentShards":["shardId-000000000001","shardId-000000000002"],
                             "HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"9"}}]}
            """)
            .Then(HttpStatusCode.OK, """{"Records":[],"MillisBehindLatest":5}""");

        RecordPage end = await Reader.GetRecordsAsync("iterator", 100, None);
        RecordPage absent = await Reader.GetRecordsAsync("iterator", 100, None);

        ReceivedRecord record = Assert.Single(end.Records);
        Assert.Equal("hello", Encoding.UTF8.GetString(record.Data.Span));
        Assert.Equal("truck-7", record.PartitionKey);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_440_938_160_123), record.ApproximateArrival);
        Assert.Null(end.NextIterator);
        Assert.Equal(0, end.MillisBehindLatest);
        ChildShardDescription child = Assert.Single(end.ChildShards);
        Assert.Equal("shardId-000000000003", child.ShardId);
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], child.ParentShards);
        Assert.Null(absent.NextIterator);
        Assert.Equal(5, absent.MillisBehindLatest);
        Assert.Equal(100, _fake.Sent[0].Json.GetProperty("Limit").GetInt32());
    }

    [Fact]
    public async Task shard_iterator_requests_carry_type_and_start()
    {
        for (int i = 0; i < 5; i++)
        {
            _fake.Then(HttpStatusCode.OK, """{"ShardIterator":"it"}""");
        }

        IteratorStart[] starts =
        [
            IteratorStart.TrimHorizon,
            IteratorStart.Latest,
            IteratorStart.At("111"),
            IteratorStart.After("222"),
            IteratorStart.AtTime(DateTimeOffset.FromUnixTimeMilliseconds(1_440_938_160_123)),
        ];
        foreach (IteratorStart start in starts)
        {
            Assert.Equal("it", await Reader.GetShardIteratorAsync("shardId-000000000001", start, None));
        }

        Assert.Equal(["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "AT_TIMESTAMP"],
            _fake.Sent.Select(s => s.Json.GetProperty("ShardIteratorType").GetString()));
        Assert.Equal("111", _fake.Sent[2].Json.GetProperty("StartingSequenceNumber").GetString());
        Assert.Equal("222", _fake.Sent[3].Json.GetProperty("StartingSequenceNumber").GetString());
        Assert.Equal("1440938160.123", _fake.Sent[4].Json.GetProperty("Timestamp").GetRawText());
        Assert.All(_fake.Sent, s => Assert.Equal("shardId-000000000001", s.Json.GetProperty("ShardId").GetString()));
    }

    [Fact]
    public async Task a_transport_failure_is_stream_unavailable()
    {
        _fake.Then(_ => throw new HttpRequestException("Connection refused"));

        var error = await Assert.ThrowsAsync<StreamUnavailableException>(() => Reader.ListShardsAsync(None));

        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task caller_cancellation_is_not_turned_into_unavailability()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Reader.ListShardsAsync(cancelled.Token));
    }
}
