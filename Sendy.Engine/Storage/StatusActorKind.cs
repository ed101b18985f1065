namespace Sendy.Engine.Storage;

/// <summary>Who changed a delivery's status.</summary>
public enum StatusActorKind
{
    Driver,
    Dispatcher,
    System,

    /// <summary>A booking system's API client; the event's actor id is the client's name.</summary>
    ApiClient,
}
