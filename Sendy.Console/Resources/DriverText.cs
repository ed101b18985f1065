namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>DriverText.resx</c> (en) and <c>DriverText.ko.resx</c>.</summary>
public sealed class DriverText;
