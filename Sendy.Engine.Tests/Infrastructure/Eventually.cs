namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a generous deadline passes (a deadline for failing, not a timing target).</summary>
public static class Eventually
{
    public static async Task<T> ReachesAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        T last;
        while (true)
        {
            last = await probe();
            if (done(last)) return last;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what}: still {last} after {timeoutSeconds} s");
            await Task.Delay(50);
        }
    }
}
