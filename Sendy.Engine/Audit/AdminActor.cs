namespace Sendy.Engine.Audit;

public enum AdminActorKind
{
    Staff,
    ApiClient,
}

/// <summary>Who asked: a signed-in staff member (id, display name, e-mail) or an API client (id and the key's name).</summary>
public sealed record AdminActor(AdminActorKind Kind, string Id, string? Name, string? Email)
{
    public const int MaxId = 100;
    public const int MaxName = 256;
}
