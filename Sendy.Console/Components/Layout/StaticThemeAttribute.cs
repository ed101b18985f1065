namespace Sendy.Console.Components.Layout;

/// <summary>
/// A page whose theme (MudBlazor's CSS variables) App renders once into the static HTML instead of
/// holding a MudThemeProvider, its palette and its style text in every circuit. For pages opened
/// from a link and kept open for long, like the customer's tracking page; use with
/// <see cref="TrackLayout"/>, which has no theme provider of its own.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StaticThemeAttribute : Attribute;
