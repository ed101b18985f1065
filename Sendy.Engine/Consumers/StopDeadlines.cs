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
    private readonly TimeProvider _time;
    private readonly ManualResetEventSlim _cutShort = new();
    private int _begun;

    public StopDeadlines(ConsumerOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
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
        if (_time != TimeProvider.System)
        {
            // Fake time in tests: its timers fire when the test advances the clock.
            _drain.CancelAfter(_options.DrainTime);
            _release.CancelAfter(_options.ReleaseTime);
            _done.CancelAfter(_options.ShutdownGrace);
            return;
        }
        // The system's timers call back on the thread pool: on a node whose pool is starved (a busy
        // process, blocked threads) a deadline fired seconds late and the stop overran its grace
        // (BoundedShutdownTests reproduces it with 64 blocked pool threads). The stop's clock runs
        // on a thread of its own instead.
        new Thread(RunClock) { IsBackground = true, Name = "sendy-stop-deadlines" }.Start();
    }

    /// <summary>Cuts every phase short at once (a simulated crash waits for nothing).</summary>
    public void Now()
    {
        Interlocked.Exchange(ref _begun, 1);
        _cutShort.Set();
        _drain.Cancel();
        _release.Cancel();
        _done.Cancel();
    }

    private void RunClock()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var (source, after) in new[] { (_drain, _options.DrainTime), (_release, _options.ReleaseTime), (_done, _options.ShutdownGrace) })
        {
            var left = after - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (left > TimeSpan.Zero && _cutShort.Wait(left)) return;
            source.Cancel();
        }
    }
}

/// <summary>
/// A token of one user's own, cancelled when any of the given tokens is, from a thread of its own.
/// Npgsql sends its cancel request to the server synchronously inside a token's callback (a round
/// trip; seconds when the database is slow). On a token shared by every shard's consumer, those
/// requests ran one after another on the thread that cancelled it, and whoever waited on the same
/// token (the stop itself) was told only after all of them: the stop's bound slipped by their sum.
/// Here the shared token's callback only starts the cancellation; each user's round trip runs on
/// its own thread (not the thread pool's, which a few blocked threads would starve).
/// </summary>
internal sealed class OwnDeadline : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly CancellationTokenRegistration[] _registrations;

    public OwnDeadline(params ReadOnlySpan<CancellationToken> deadlines)
    {
        _registrations = new CancellationTokenRegistration[deadlines.Length];
        foreach (var deadline in deadlines)
        {
            if (!deadline.IsCancellationRequested) continue;
            // Already passed: cancelled here and now (nothing is registered on it yet), as the
            // shared token would be; a user must never get a moment to act past its deadline.
            _source.Cancel();
            return;
        }
        for (var i = 0; i < deadlines.Length; i++)
            _registrations[i] = deadlines[i].UnsafeRegister(static s => Start((CancellationTokenSource)s!), _source);
    }

    public CancellationToken Token => _source.Token;

    private static void Start(CancellationTokenSource source) =>
        _ = Task.Factory.StartNew(static s =>
        {
            try
            {
                ((CancellationTokenSource)s!).Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Its user finished before the deadline reached it: nothing left to cut off.
            }
        }, source, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _source.Dispose();
    }
}
