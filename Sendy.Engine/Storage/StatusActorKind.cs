namespace Sendy.Engine.Storage;

/// <summary>Who changed a delivery's status.</summary>
public enum StatusActorKind
{
    Driver,
    Dispatcher,
    System,
}
