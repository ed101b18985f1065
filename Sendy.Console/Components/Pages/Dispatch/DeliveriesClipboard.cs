using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>The clipboard through <c>wwwroot/js/clipboard.js</c>, imported on first use. False whenever the browser would not copy.</summary>
public sealed class DeliveriesClipboard(IJSRuntime js) : IAsyncDisposable
{
    internal const string ModulePath = "./js/clipboard.js";

    private IJSObjectReference? _module;

    public Task<bool> CopyAsync(string text) => CallAsync("copyText", text);

    /// <summary>Selects the text of the input in <paramref name="element"/> (and tries the legacy copy command).</summary>
    public Task<bool> SelectAsync(ElementReference element) => CallAsync("selectText", element);

    private async Task<bool> CallAsync(string identifier, object argument)
    {
        try
        {
            _module ??= await js.InvokeAsync<IJSObjectReference>("import", ModulePath);
            return await _module.InvokeAsync<bool>(identifier, argument);
        }
        catch (Exception ex) when (ex is JSException or JSDisconnectedException or InvalidOperationException or TaskCanceledException)
        {
            // Prerendering (no JS yet), a closed tab or a refusing browser: not copied.
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is null) return;
        try
        {
            await _module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
        }
    }
}
