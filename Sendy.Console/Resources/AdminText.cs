namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>AdminText.resx</c> (en) and <c>AdminText.ko.resx</c>.</summary>
public sealed class AdminText;
