using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Consumers;
using Sendy.Engine.Consumers.Processing;
using Sendy.Engine.Leasing;
using Sendy.Engine.Leasing.InMemory;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.InMemory;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Consumers;

/// <summary>
/// The record-processor port with a processor of the tests' own (it counts records and checkpoints
/// on its own, outside any transaction): the scheduler drives any processor through the same
/// lifecycle the positions pipeline gets.
/// </summary>
public sealed class RecordProcessorPortTests
{
    private const string Stream = "port";
    private readonly InMemoryStream _stream = new(shardCount: 1);
    private readonly InMemoryLeaseStore _leases = new();
    private readonly CountingProcessors _processors = new();

    private Scheduler NewScheduler(string worker, TimeSpan? leaseDuration = null) => new(new StreamName(Stream), _stream, _leases, _processors,
        Options.Create(EngineHarness.FastOptions(worker, leaseDuration ?? TimeSpan.FromSeconds(3))), TimeProvider.System, NullLoggerFactory.Instance);

    private Task PutAsync(int from, int count) =>
        _stream.PutAsync(Enumerable.Range(from, count).Select(i => new OutgoingRecord("truck", BitConverter.GetBytes(i))).ToList(), default);

    private async Task<Lease> LeaseAsync(string shardId) => (await _leases.ListAsync(Stream, default)).Single(l => l.ShardId == shardId);

    [Fact]
    public async Task a_processor_is_initialized_gets_every_record_once_and_is_told_of_the_stop()
    {
        await PutAsync(0, 10);
        using (var first = NewScheduler("w1"))
        {
            await first.StartAsync(default);
            await Eventually.ReachesAsync(() => Task.FromResult(_processors.Values("shardId-000000000000").Count), n => n == 10, "first ten records processed");
            await first.StopAsync(default);
        }
        var shard = "shardId-000000000000";
        Assert.Equal([$"init {Checkpoints.TrimHorizon}", "process", "shutdown"], _processors.Calls(shard).Distinct());
        var stopped = await LeaseAsync(shard);
        Assert.Null(stopped.Owner); // released after ShutdownRequested
        var checkpoint = stopped.Checkpoint;
        Assert.NotEqual(Checkpoints.TrimHorizon, checkpoint);

        await PutAsync(10, 5);
        using var second = NewScheduler("w2");
        await second.StartAsync(default);
        await Eventually.ReachesAsync(() => Task.FromResult(_processors.Values(shard).Count), n => n == 15, "five more records processed");
        await second.StopAsync(default);

        // The second processor started from the first one's checkpoint: nothing read twice.
        Assert.Equal(Enumerable.Range(0, 15), _processors.Values(shard));
        Assert.Contains($"init {checkpoint}", _processors.Calls(shard));
    }

    [Fact]
    public async Task a_checkpoint_inside_an_aggregated_record_starts_the_next_owner_at_that_record()
    {
        await PutAsync(0, 6);
        var shard = "shardId-000000000000";
        var records = (await _stream.GetRecordsAsync(await _stream.GetShardIteratorAsync(shard, IteratorStart.TrimHorizon, default), 100, default)).Records;
        var inside = new ExtendedSequenceNumber(records[3].SequenceNumber, SubSequenceNumber: 2);
        await _leases.CreateIfMissingAsync(new Lease(Stream, shard, null, 0, null, inside.ToCheckpoint(), [], 0), default);

        using var scheduler = NewScheduler("w1");
        await scheduler.StartAsync(default);
        await Eventually.ReachesAsync(() => Task.FromResult(_processors.Values(shard).Count), n => n == 3, "records from the checkpointed one on");
        await scheduler.StopAsync(default);

        Assert.Contains($"init {records[3].SequenceNumber}/2", _processors.Calls(shard));
        Assert.Equal([3, 4, 5], _processors.Values(shard)); // record 3 again: its sub-records past 2 are not done yet
    }

    [Fact]
    public async Task a_shard_that_ends_is_handed_to_shard_ended_and_checkpointed_there()
    {
        await PutAsync(0, 4);
        var (left, right) = _stream.Split("shardId-000000000000");
        await PutAsync(4, 4);

        using var scheduler = NewScheduler("w1");
        await scheduler.StartAsync(default);
        await Eventually.ReachesAsync(() => Task.FromResult(_processors.AllValues().Count), n => n == 8, "every record, parent and children");
        await Eventually.ReachesAsync(async () => (await LeaseAsync("shardId-000000000000")).Checkpoint, c => c == Checkpoints.ShardEnd, "parent at SHARD_END");
        await scheduler.StopAsync(default);

        Assert.Equal("shard ended", _processors.Calls("shardId-000000000000")[^1]);
        Assert.Equal(Enumerable.Range(0, 4), _processors.Values("shardId-000000000000"));
        Assert.Equal(Enumerable.Range(4, 4), _processors.Values(left).Concat(_processors.Values(right)).Order());
    }

    [Fact]
    public async Task a_processor_whose_lease_is_taken_is_told_and_cannot_checkpoint()
    {
        await PutAsync(0, 3);
        var shard = "shardId-000000000000";
        // A lease of 30 s (renewed every 10 s, so the loss is seen within 10): with 3 s, a loaded
        // machine let the thief's lease expire before the stop, w1 took it back as it may, and
        // released it at the stop (a CI run failed so).
        using var scheduler = NewScheduler("w1", TimeSpan.FromSeconds(30));
        await scheduler.StartAsync(default);
        await Eventually.ReachesAsync(() => Task.FromResult(_processors.Values(shard).Count), n => n == 3, "records processed");

        // Taken from under the worker (its renewal may move the counter first: then again).
        await Eventually.ReachesAsync(async () =>
        {
            try { return (await _leases.TakeAsync(await LeaseAsync(shard), "thief", DateTimeOffset.UtcNow, default)).Owner; }
            catch (LeaseLostException) { return null; }
        }, owner => owner == "thief", "lease taken by another worker");
        await Eventually.ReachesAsync(() => Task.FromResult(_processors.Calls(shard)[^1]), c => c == "lease lost", "told of the loss");
        Assert.Equal("thief", (await LeaseAsync(shard)).Owner);
        await scheduler.StopAsync(default);
        Assert.Equal("thief", (await LeaseAsync(shard)).Owner); // nothing released: it was not ours any more
    }

    /// <summary>Processors that keep, per shard, the calls they got and the records' values.</summary>
    private sealed class CountingProcessors : IRecordProcessorFactory
    {
        private readonly ConcurrentDictionary<string, Processor> _byShard = new();

        public IRecordProcessor Create(string streamName, string shardId)
        {
            var previous = _byShard.GetValueOrDefault(shardId);
            return _byShard[shardId] = new Processor(previous);
        }

        public List<string> Calls(string shardId) => _byShard.TryGetValue(shardId, out var p) ? p.CallsSnapshot() : [];

        public List<int> Values(string shardId) => _byShard.TryGetValue(shardId, out var p) ? p.ValuesSnapshot() : [];

        public List<int> AllValues() => _byShard.Values.SelectMany(p => p.ValuesSnapshot()).ToList();

        private sealed class Processor(Processor? previous) : IRecordProcessor
        {
            private readonly List<string> _calls = previous?.CallsSnapshot() ?? [];
            private readonly List<int> _values = previous?.ValuesSnapshot() ?? [];

            public List<string> CallsSnapshot() { lock (_calls) return [.. _calls]; }

            public List<int> ValuesSnapshot() { lock (_calls) return [.. _values]; }

            private void Note(string call) { lock (_calls) _calls.Add(call); }

            public Task InitializeAsync(InitializationInput input, CancellationToken cancellationToken)
            {
                Note($"init {input.Checkpoint}");
                return Task.CompletedTask;
            }

            public async Task ProcessRecordsAsync(ProcessRecordsInput input, CancellationToken cancellationToken)
            {
                await input.Checkpointer.CheckpointAsync(new ExtendedSequenceNumber(input.Records[^1].SequenceNumber), cancellationToken);
                lock (_calls)
                {
                    _calls.Add("process");
                    _values.AddRange(input.Records.Select(r => BitConverter.ToInt32(r.Data.Span)));
                }
            }

            public Task LeaseLostAsync(CancellationToken cancellationToken)
            {
                Note("lease lost");
                return Task.CompletedTask;
            }

            public async Task ShardEndedAsync(ShardEndedInput input, CancellationToken cancellationToken)
            {
                await input.Checkpointer.CheckpointAsync(ExtendedSequenceNumber.ShardEnd, cancellationToken);
                Note("shard ended");
            }

            public Task ShutdownRequestedAsync(ShutdownRequestedInput input, CancellationToken cancellationToken)
            {
                Note("shutdown");
                return Task.CompletedTask;
            }
        }
    }
}
