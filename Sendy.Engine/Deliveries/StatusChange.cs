using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries;

/// <summary>Who asks for a status change. A driver may only change the deliveries assigned to them.</summary>
public sealed record StatusActor(StatusActorKind Kind, string? Id, Guid? DriverId = null)
{
    public static StatusActor Driver(Guid driverId) => new(StatusActorKind.Driver, driverId.ToString(), driverId);

    public static StatusActor Dispatcher(string? name) => new(StatusActorKind.Dispatcher, name);

    public static StatusActor System(string component) => new(StatusActorKind.System, component);

    public static StatusActor ApiClient(string name) => new(StatusActorKind.ApiClient, name);
}

public sealed record StatusChangeRequest(
    Guid DeliveryId,
    DeliveryStatus To,
    StatusActor Actor,
    string IdempotencyKey,
    string? Note = null,
    string? Reason = null);

/// <summary>A status event as the APIs and pages show it.</summary>
public sealed record StatusEventView(
    Guid Id,
    Guid DeliveryId,
    DeliveryStatus? From,
    DeliveryStatus To,
    StatusActorKind ActorKind,
    string? ActorId,
    DateTimeOffset OccurredAt,
    double? Latitude,
    double? Longitude,
    string? Note,
    string? Reason)
{
    /// <summary>A new truck or driver, not a new status: the status stays what it was.</summary>
    public bool IsReassignment => From == To;

    internal static StatusEventView Of(DeliveryStatusEvent e) => new(e.Id, e.DeliveryId, e.FromStatus, e.ToStatus, e.ActorKind,
        e.ActorId, e.OccurredAt, e.Location?.Y, e.Location?.X, e.Note, e.Reason);
}

public enum StatusChangeOutcome
{
    /// <summary>Stored now, with its outbox rows.</summary>
    Changed,

    /// <summary>The idempotency key was seen before: this is the first result again; nothing new was written.</summary>
    Replayed,
    NotFound,

    /// <summary>The driver is not the one assigned to this delivery.</summary>
    NotAssignedDriver,

    /// <summary>The state machine refuses the move from the current status.</summary>
    InvalidTransition,
    ReasonRequired,

    /// <summary>The idempotency key was used before for a different status.</summary>
    KeyReused,
}

public sealed record StatusChangeResult(StatusChangeOutcome Outcome, DeliveryStatus? Current, StatusEventView? Event)
{
    public bool Succeeded => Outcome is StatusChangeOutcome.Changed or StatusChangeOutcome.Replayed;
}
