namespace Sendy.Engine.Consumers;

/// <summary>
/// The deadlines of one node's stop, counted from the moment it begins (see
/// <see cref="ConsumerOptions.ShutdownGrace"/>): <see cref="Drain"/> cuts off batches still in
/// flight, <see cref="Release"/> ends lease releases, <see cref="Done"/> ends the stop. Tokens
/// only, so consumers still winding down after the stop never touch a disposed source.
/// </summary>
internal sealed class StopDeadlines
{
    private readonly CancellationTokenSource _drain;
    private readonly CancellationTokenSource _release;
    private readonly CancellationTokenSource _done;
    private readonly ConsumerOptions _options;
    private int _begun;

    public StopDeadlines(ConsumerOptions options, TimeProvider time)
    {
        _options = options;
        _drain = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _release = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _done = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        Drain = _drain.Token;
        Release = _release.Token;
        Done = _done.Token;
    }

    public CancellationToken Drain { get; }

    public CancellationToken Release { get; }

    public CancellationToken Done { get; }

    /// <summary>Starts the clocks; a second call changes nothing.</summary>
    public void Begin()
    {
        if (Interlocked.Exchange(ref _begun, 1) == 1) return;
        _drain.CancelAfter(_options.DrainTime);
        _release.CancelAfter(_options.ReleaseTime);
        _done.CancelAfter(_options.ShutdownGrace);
    }

    /// <summary>Cuts every phase short at once (a simulated crash waits for nothing).</summary>
    public void Now()
    {
        Interlocked.Exchange(ref _begun, 1);
        _drain.Cancel();
        _release.Cancel();
        _done.Cancel();
    }
}
