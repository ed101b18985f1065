using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Sendy.Console.Tests.Infrastructure;

/// <summary>
/// What every component test's bunit context sets up: the page's culture, MudBlazor's services,
/// localization, loose JS interop, the operations clock on <paramref name="time"/> (the
/// system's when none is given), and asynchronous disposal.
/// </summary>
public abstract class SendyBunitContext : BunitContext, IAsyncLifetime
{
    protected SendyBunitContext(string culture = "en", TimeProvider? time = null)
    {
        UseCulture(culture);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddLocalization();
        Services.AddSingleton(time ?? TimeProvider.System);
        Services.AddOperationsClock();
    }

    protected static void UseCulture(string name) =>
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);

    /// <summary>The JS module at <paramref name="path"/>, answering every call without a set-up.</summary>
    protected BunitJSModuleInterop LooseModule(string path)
    {
        var module = JSInterop.SetupModule(path);
        module.Mode = JSRuntimeMode.Loose;
        return module;
    }

    /// <summary>Set-up that needs awaiting (a database), before the first test.</summary>
    protected virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Clean-up after the components and the container are disposed.</summary>
    protected virtual Task DisposeResourcesAsync() => Task.CompletedTask;

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    // MudBlazor registers async-only disposables: the container must be disposed asynchronously.
    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await DisposeResourcesAsync();
    }
}
