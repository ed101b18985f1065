using Microsoft.Extensions.Time.Testing;

namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also counts its armed timers (created, neither fired nor
/// disposed). A loop that waits only on this clock and has armed its timer can do nothing more
/// until the test advances the clock: "armed" is the moment to check what it did.
/// <para>
/// Counting a timer and scheduling it happen under one lock that <see cref="Advance"/> takes too:
/// otherwise a test could see the timer counted, advance the clock, and only then have the timer
/// scheduled, due a whole interval later than the code asked (seen once under load: the poll-rate
/// test read 1 call where 2 were due).
/// </para>
/// </summary>
public sealed class TimerCountingFakeTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _scheduling = new();
    private int _armed;

    public TimerCountingFakeTimeProvider() : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public int ArmedTimers => Volatile.Read(ref _armed);

    /// <summary>Moves the clock (running what comes due) while no timer is between being counted and being scheduled.</summary>
    public new void Advance(TimeSpan delta)
    {
        lock (_scheduling) base.Advance(delta);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period != Timeout.InfiniteTimeSpan)
            throw new NotSupportedException("only one-shot timers (Task.Delay) are counted");
        var counted = new CountedTimer(this);
        // Armed first, in case it comes due at once. The count drops before the callback runs, and
        // FakeTimeProvider runs due callbacks inside Advance: once Advance returns, a timer that came
        // due is no longer armed.
        lock (_scheduling)
        {
            if (dueTime != Timeout.InfiniteTimeSpan) counted.Arm();
            counted.Inner = base.CreateTimer(s =>
            {
                counted.Disarm();
                callback(s);
            }, state, dueTime, period);
        }
        return counted;
    }

    private sealed class CountedTimer(TimerCountingFakeTimeProvider clock) : ITimer
    {
        private int _armed;

        public ITimer Inner { get; set; } = null!;

        public void Arm()
        {
            if (Interlocked.Exchange(ref _armed, 1) == 0) Interlocked.Increment(ref clock._armed);
        }

        public void Disarm()
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1) Interlocked.Decrement(ref clock._armed);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._scheduling)
            {
                Disarm();
                if (dueTime != Timeout.InfiniteTimeSpan) Arm();
                return Inner.Change(dueTime, period);
            }
        }

        public void Dispose()
        {
            Disarm();
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Disarm();
            return Inner.DisposeAsync();
        }
    }
}
