using System.Runtime.CompilerServices;

namespace Sendy.Console.Tests.Infrastructure;

/// <summary>
/// bunit's WaitFor* helpers give up after one second by default. With browser tests, PostgreSQL
/// and other test classes sharing two cores, an async re-render (a validation message, a
/// debounced search) sometimes took longer, and a correct page failed. A wait only lasts as long
/// as the page needs, so a longer ceiling costs nothing when the page is right.
/// </summary>
internal static class BunitDefaults
{
    [ModuleInitializer]
    internal static void Initialize() => Bunit.BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
}
