namespace Sendy.Console.Resources;

/// <summary>Marker type for <c>WebhooksText.resx</c> (en) and <c>WebhooksText.ko.resx</c>: /admin/webhooks.</summary>
public sealed class WebhooksText;
