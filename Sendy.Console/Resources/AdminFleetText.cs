namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>AdminFleetText.resx</c> (en) and <c>AdminFleetText.ko.resx</c>: /admin/staff and /admin/fleet.</summary>
public sealed class AdminFleetText;
