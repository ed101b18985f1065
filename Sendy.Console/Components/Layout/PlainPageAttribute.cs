namespace Sendy.Console.Components.Layout;

/// <summary>
/// A page that must keep working without a server connection: App renders it with its own
/// stylesheet and no Blazor or MudBlazor scripts. Combine with
/// <see cref="Microsoft.AspNetCore.Components.ExcludeFromInteractiveRoutingAttribute"/> and
/// <see cref="PlainLayout"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class PlainPageAttribute : Attribute;
