namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>TrackText.resx</c> (en) and <c>TrackText.ko.resx</c>.</summary>
public sealed class TrackText;
