namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>DeliveriesText.resx</c> (en) and <c>DeliveriesText.ko.resx</c>: the dispatcher's delivery list and dialogs.</summary>
public sealed class DeliveriesText;
