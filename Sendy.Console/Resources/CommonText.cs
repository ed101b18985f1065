namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>CommonText.resx</c> (en) and <c>CommonText.ko.resx</c>.</summary>
public sealed class CommonText;
