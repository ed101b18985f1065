namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>AdminLogsText.resx</c> (en) and <c>AdminLogsText.ko.resx</c>: /admin/logs and /admin/deliveries/{id}.</summary>
public sealed class AdminLogsText;
