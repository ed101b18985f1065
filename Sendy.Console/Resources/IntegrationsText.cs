namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>IntegrationsText.resx</c> (en) and <c>IntegrationsText.ko.resx</c>: /admin/integrations.</summary>
public sealed class IntegrationsText;
