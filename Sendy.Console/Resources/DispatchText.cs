namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>DispatchText.resx</c> (en) and <c>DispatchText.ko.resx</c>.</summary>
public sealed class DispatchText;
