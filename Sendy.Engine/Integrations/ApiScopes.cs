namespace Sendy.Engine.Integrations;

/// <summary>What an API client may be allowed to do. Staff (dispatchers, admins) may do all of it with their sign-in.</summary>
public static class ApiScopes
{
    public const string DeliveriesRead = "deliveries:read";
    public const string DeliveriesWrite = "deliveries:write";
    public const string WebhooksManage = "webhooks:manage";
    public const string PositionsRead = "positions:read";

    public static readonly IReadOnlyList<string> All = [DeliveriesRead, DeliveriesWrite, WebhooksManage, PositionsRead];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}
