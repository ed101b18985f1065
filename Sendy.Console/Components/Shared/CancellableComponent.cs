using Microsoft.AspNetCore.Components;

namespace Sendy.Console.Components.Shared;

/// <summary>
/// A component whose queries and commands stop when it goes away (navigated from, dialog closed,
/// circuit gone): <see cref="Aborted"/> is cancelled when the renderer disposes the component.
/// Work cut short this way ends in an <see cref="OperationCanceledException"/>, which the renderer
/// ignores; pages must not log it or show it as a failure.
/// </summary>
public abstract class CancellableComponent : ComponentBase, IAsyncDisposable
{
    private readonly CancellationTokenSource _lifetime = new();
    private bool _disposed;

    // Read once: the token stays usable (and cancelled) after the source is disposed, the source's Token would throw.
    protected CancellableComponent() => Aborted = _lifetime.Token;

    /// <summary>Cancelled when the component is disposed; pass it to every query and command.</summary>
    protected CancellationToken Aborted { get; }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        // The token reads as cancelled at once; its callbacks (a database's cancel request) run off the renderer's thread.
        var cancelled = _lifetime.CancelAsync();
        try
        {
            await DisposeAsyncCore();
        }
        finally
        {
            await cancelled;
            _lifetime.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>The component's own clean-up (subscriptions, timers, JS modules); <see cref="Aborted"/> is already cancelled.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
}
