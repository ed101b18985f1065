using Bunit;
using Sendy.Console.Components.Shared;
using Sendy.Console.Tests.Infrastructure;

namespace Sendy.Console.Tests.Shared;

public sealed class CancellableComponentTests : SendyBunitContext
{
    [Fact]
    public async Task disposing_the_component_cancels_aborted_before_its_own_clean_up()
    {
        var probe = Render<Probe>().Instance;
        var token = probe.Token;
        Assert.False(token.IsCancellationRequested);

        await DisposeComponentsAsync();

        Assert.True(token.IsCancellationRequested);
        Assert.True(probe.CleanedUp);
        Assert.True(probe.AbortedDuringCleanUp);
        // Still readable once the source is gone: late callbacks may pass it on.
        Assert.True(probe.Token.IsCancellationRequested);
    }

    private sealed class Probe : CancellableComponent
    {
        public CancellationToken Token => Aborted;

        public bool CleanedUp { get; private set; }

        public bool AbortedDuringCleanUp { get; private set; }

        protected override ValueTask DisposeAsyncCore()
        {
            CleanedUp = true;
            AbortedDuringCleanUp = Aborted.IsCancellationRequested;
            return ValueTask.CompletedTask;
        }
    }
}
