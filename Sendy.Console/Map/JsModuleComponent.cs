using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Sendy.Console.Map;

/// <summary>
/// A component drawn by a JS module (the maps): imports the module once, after the first render,
/// and lets the component create its browser side; calls to the module are dropped before it is
/// ready and after disposal, and a browser that is gone is not an error. Disposal waits for a
/// creation still under way, then calls the module's own dispose function and releases it.
/// </summary>
/// <typeparam name="TSelf">The component, for the reference the browser calls back through.</typeparam>
public abstract class JsModuleComponent<TSelf> : ComponentBase, IAsyncDisposable
    where TSelf : JsModuleComponent<TSelf>
{
    private IJSObjectReference? _module;
    private DotNetObjectReference<TSelf>? _self;
    private Task? _initialization;

    [Inject] private IJSRuntime JS { get; set; } = null!;

    [Inject] private ILogger<TSelf> Logger { get; set; } = null!;

    /// <summary>The element the module draws into (<c>@ref</c> in the markup).</summary>
    protected ElementReference Element { get; set; }

    /// <summary>The module's path, as given to <c>import</c>.</summary>
    protected abstract string Module { get; }

    /// <summary>The module's function that takes down what it built on <see cref="Element"/>.</summary>
    protected abstract string DisposeFunction { get; }

    /// <summary>The module is loaded and the component's browser side created.</summary>
    protected bool IsModuleReady => _module is not null;

    protected bool IsDisposed { get; private set; }

    /// <summary>This component for the browser to call back (<c>[JSInvokable]</c>), released on disposal.</summary>
    protected DotNetObjectReference<TSelf> Self => _self ??= DotNetObjectReference.Create((TSelf)this);

    /// <summary>Creates the component's browser side with the freshly imported module.</summary>
    protected abstract Task CreateAsync(IJSObjectReference module);

    /// <summary>After <see cref="CreateAsync"/> succeeded (and the component is still there).</summary>
    protected virtual Task OnModuleReadyAsync() => Task.CompletedTask;

    protected override Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _initialization = InitializeAsync();
            return _initialization;
        }

        return Task.CompletedTask;
    }

    /// <summary>Calls the module; does nothing before it is ready or once disposed, and logs a failure in the browser.</summary>
    protected async Task InvokeModuleAsync(string identifier, params object?[] args)
    {
        if (_module is null || IsDisposed) return;
        try
        {
            await _module.InvokeVoidAsync(identifier, args);
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone; nothing left to draw on.
        }
        catch (JSException ex)
        {
            JsModuleLog.CallFailed(Logger, typeof(TSelf).Name, identifier, ex);
        }
        catch (TaskCanceledException)
        {
            // The browser did not answer within the JS interop timeout (a frozen or closing tab) or
            // the circuit is being torn down: expected, one line without a stack trace.
            JsModuleLog.CallUnanswered(Logger, typeof(TSelf).Name, identifier);
        }
    }

    private async Task InitializeAsync()
    {
        try
        {
            var module = await JS.InvokeAsync<IJSObjectReference>("import", Module);
            await CreateAsync(module);
            _module = module;
        }
        catch (JSDisconnectedException)
        {
            return;
        }
        catch (JSException ex)
        {
            JsModuleLog.CreateFailed(Logger, typeof(TSelf).Name, ex);
            return;
        }
        catch (TaskCanceledException)
        {
            JsModuleLog.CallUnanswered(Logger, typeof(TSelf).Name, "import");
            return;
        }

        if (IsDisposed)
        {
            await DisposeModuleAsync();
            return;
        }

        await OnModuleReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        IsDisposed = true;
        if (_initialization is not null)
        {
            try
            {
                await _initialization;
            }
            catch (Exception ex) when (ex is JSDisconnectedException or TaskCanceledException)
            {
            }
        }

        await DisposeModuleAsync();
        _self?.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task DisposeModuleAsync()
    {
        var module = _module;
        _module = null;
        if (module is null) return;
        try
        {
            await module.InvokeVoidAsync(DisposeFunction, Element);
            await module.DisposeAsync();
        }
        catch (Exception ex) when (ex is JSDisconnectedException or TaskCanceledException)
        {
            // Browser already gone: it took the map with it.
        }
    }
}

internal static partial class JsModuleLog
{
    [LoggerMessage(1, LogLevel.Warning, "{Component} could not be created in the browser")]
    public static partial void CreateFailed(ILogger logger, string component, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "{Component} call {Identifier} failed in the browser")]
    public static partial void CallFailed(ILogger logger, string component, string identifier, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "{Component} call {Identifier} got no answer from the browser (tab closed, frozen or reconnecting)")]
    public static partial void CallUnanswered(ILogger logger, string component, string identifier);
}
