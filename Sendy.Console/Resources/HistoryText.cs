namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>HistoryText.resx</c> (en) and <c>HistoryText.ko.resx</c>: /admin/history.</summary>
public sealed class HistoryText;
