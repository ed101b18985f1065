namespace Sendy.Engine.Notifications;

/// <summary>The channels a status event is announced on; each is one outbox row and one Hangfire job.</summary>
public static class NotificationChannel
{
    public const string SnsTopic = "sns-topic";
    public const string Sms = "sms";
    public const string Email = "email";
    public const string SearchIndex = "search-index";

    public static readonly IReadOnlyList<string> All = [SnsTopic, Sms, Email, SearchIndex];
}
