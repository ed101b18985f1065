namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>
/// Work a component would hand to the thread pool, held until the test runs it on its own thread.
/// With synchronous handlers, once <see cref="RunAll"/> returns everything published so far has
/// been delivered, so a test checks "nothing more arrived" at once instead of waiting to see.
/// </summary>
public sealed class ManualWorkQueue
{
    private readonly Queue<Action> _items = new();

    public void Post(Action work)
    {
        lock (_items) _items.Enqueue(work);
    }

    /// <summary>Runs queued work, including work queued while it runs, until none is left; returns how many items ran.</summary>
    public int RunAll()
    {
        var ran = 0;
        while (true)
        {
            Action work;
            lock (_items)
            {
                if (!_items.TryDequeue(out work!)) return ran;
            }
            work();
            ran++;
        }
    }
}
