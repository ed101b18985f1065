namespace Sendy.Engine.Deliveries;

/// <summary>How the person who receives the goods is told about their delivery (when they gave the address or number).</summary>
public static class RecipientChannel
{
    public const string Email = "email";
    public const string Sms = "sms";

    public static readonly IReadOnlyList<string> All = [Email, Sms];

    public static bool IsKnown(string channel) => All.Contains(channel, StringComparer.Ordinal);
}
