using System.Runtime.CompilerServices;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Admin;

/// <summary>Log queries answering from lists in memory; records what the page asked; can hold an answer back or fail.</summary>
public sealed class FakeDeliveryLogQueries : IDeliveryLogQueries
{
    public List<DeliveryLogRow> Deliveries { get; } = [];
    public List<StatusEventLogRow> Events { get; } = [];
    public List<(DeliveryLogFilter Filter, LogPageRequest<DeliveryLogSort> Page)> DeliveryRequests { get; } = [];
    public List<(DeliveryLogFilter Filter, LogPageRequest<StatusEventLogSort> Page)> EventRequests { get; } = [];
    public TaskCompletionSource? Gate { get; set; }
    public bool Fail { get; set; }

    public async Task<LogPage<DeliveryLogRow>> DeliveriesAsync(DeliveryLogFilter filter, LogPageRequest<DeliveryLogSort> page, CancellationToken cancellationToken)
    {
        DeliveryRequests.Add((filter, page));
        await WaitAsync();
        var rows = Deliveries.Where(d => filter.Delivery is null || d.CustomerName.Contains(filter.Delivery, StringComparison.OrdinalIgnoreCase)).ToList();
        return new LogPage<DeliveryLogRow>(rows.Skip(page.Page * page.PageSize).Take(page.PageSize).ToList(), rows.Count);
    }

    public async Task<LogPage<StatusEventLogRow>> StatusEventsAsync(DeliveryLogFilter filter, LogPageRequest<StatusEventLogSort> page, CancellationToken cancellationToken)
    {
        EventRequests.Add((filter, page));
        await WaitAsync();
        return new LogPage<StatusEventLogRow>(Events.Skip(page.Page * page.PageSize).Take(page.PageSize).ToList(), Events.Count);
    }

    public IAsyncEnumerable<DeliveryLogRow> AllDeliveriesAsync(DeliveryLogFilter filter, DeliveryLogSort sort, bool descending, CancellationToken cancellationToken) =>
        Stream(Deliveries, cancellationToken);

    public IAsyncEnumerable<StatusEventLogRow> AllStatusEventsAsync(DeliveryLogFilter filter, StatusEventLogSort sort, bool descending, CancellationToken cancellationToken) =>
        Stream(Events, cancellationToken);

    private async Task WaitAsync()
    {
        if (Gate is { } gate) await gate.Task;
        if (Fail) throw new InvalidOperationException("database down");
    }

    private static async IAsyncEnumerable<T> Stream<T>(IEnumerable<T> rows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }
    }
}

public sealed class FakeDeliveryHistoryQueries : IDeliveryHistoryQueries
{
    public Dictionary<Guid, DeliveryHistory> Histories { get; } = [];
    public Dictionary<Guid, DeliveryRoute> Routes { get; } = [];
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>The token the last <see cref="GetAsync"/> was given.</summary>
    public CancellationToken LastToken { get; private set; }

    public async Task<DeliveryHistory?> GetAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        LastToken = cancellationToken;
        // Like a real query, a wait at the gate ends when the caller cancels.
        if (Gate is { } gate) await gate.Task.WaitAsync(cancellationToken);
        return Histories.GetValueOrDefault(deliveryId);
    }

    public Task<DeliveryRoute?> RouteAsync(Guid deliveryId, int maxPoints, CancellationToken cancellationToken) =>
        Task.FromResult(Routes.GetValueOrDefault(deliveryId));
}

/// <summary>Sample rows for the admin page tests.</summary>
public static class AdminLogSamples
{
    public static readonly DateTimeOffset Day = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    public static readonly Guid Acme = Guid.Parse("aaaa1111-0000-0000-0000-000000000001");
    public static readonly Guid Hanbit = Guid.Parse("bbbb2222-0000-0000-0000-000000000002");

    public static DeliveryLogRow AcmeRow => new(Acme, Day.AddHours(1), "ACME Logistics", "lg-1", "Truck One", "Kim Minsu", DeliveryStatus.Delivered,
        Day.AddHours(2), Day.AddHours(5));

    public static DeliveryLogRow HanbitRow => new(Hanbit, Day.AddHours(3), "한빛 물류", "lg-2", "Truck Two", "Lee Jiwoo", DeliveryStatus.InTransit,
        Day.AddHours(4), null);

    public static StatusEventLogRow Event(Guid delivery, string customer, DeliveryStatus? from, DeliveryStatus to, StatusActorKind kind,
        string? actorId, string? actorName, DateTimeOffset at, string? note = null, string? reason = null) =>
        new(Guid.NewGuid(), at, delivery, customer, from, to, kind, actorId, actorName, note, reason);

    public static DeliveryHistory AcmeHistory => new(AcmeRow, "서울 12가 3456",
        new PlaceView("인천 중구 공항로 272", 37.46, 126.45), new PlaceView("부산 해운대구 센텀중앙로 55", 35.17, 129.13),
        Day.AddHours(6), Day.AddHours(5).AddMinutes(10), Day.AddHours(5), null,
        [
            Event(Acme, "ACME Logistics", DeliveryStatus.Booked, DeliveryStatus.DriverAssigned, StatusActorKind.Dispatcher, "disp@sendy.test", null, Day.AddMinutes(65)),
            Event(Acme, "ACME Logistics", DeliveryStatus.DriverAssigned, DeliveryStatus.PickedUp, StatusActorKind.Driver, "x", "Kim Minsu", Day.AddHours(2), note: "Gate 3"),
            Event(Acme, "ACME Logistics", DeliveryStatus.PickedUp, DeliveryStatus.Delivered, StatusActorKind.Driver, "x", "Kim Minsu", Day.AddHours(5)),
        ],
        [
            new NotificationLogRow(1, Guid.NewGuid(), DeliveryStatus.PickedUp, "email", Day.AddHours(2), Day.AddHours(2), Day.AddHours(2).AddSeconds(3), "<abc@sendy.test>"),
            new NotificationLogRow(2, Guid.NewGuid(), DeliveryStatus.Delivered, "sms", Day.AddHours(5), null, null, null),
        ]);

    public static DeliveryRoute Route(int count, int stored) => new(Day.AddMinutes(65), Day.AddHours(5), true,
        Enumerable.Range(0, count).Select(i => new RoutePoint(37 + i * 0.01, 127 + i * 0.01, Day.AddMinutes(65 + i), 12, i == 0 ? null : 45)).ToList(), stored);
}
