namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>AccountText.resx</c> (en) and <c>AccountText.ko.resx</c>.</summary>
public sealed class AccountText;
