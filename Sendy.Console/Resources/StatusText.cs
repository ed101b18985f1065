namespace Sendy.Console.Resources;

/// <summary>
/// Marker type for <c>StatusText.resx</c> (en) and <c>StatusText.ko.resx</c>: one name per
/// delivery status, keyed by the enum's name, for every page (see <c>DeliveryStatusDisplay</c>).
/// </summary>
public sealed class StatusText;
