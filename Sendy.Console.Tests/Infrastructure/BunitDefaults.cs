using System.Runtime.CompilerServices;

namespace Sendy.Console.Tests.Infrastructure;

/// <summary>
/// bunit's WaitFor* helpers give up after one second by default. With browser tests, PostgreSQL
/// and other test classes sharing two cores, an async re-render (a validation message, a
/// debounced search: MudBlazor debounces on a real timer) sometimes took longer, and a correct
/// page failed: 1 s, then 10 s under a load average of 30 on two cores. A wait only lasts as long
/// as the page needs, so a longer ceiling costs nothing when the page is right.
/// </summary>
internal static class BunitDefaults
{
    [ModuleInitializer]
    internal static void Initialize() => Bunit.BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(30);
}
