using System.Collections.Concurrent;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Tests.Fakes;

/// <summary>In-memory delivery locales: tracking token to "ko"/"en".</summary>
public sealed class FakeDeliveryLocales : IDeliveryLocales
{
    public ConcurrentDictionary<string, string> Locales { get; } = new();

    public Task<string?> FindByTrackingTokenAsync(string token, CancellationToken cancellationToken) =>
        Task.FromResult(Locales.GetValueOrDefault(token));
}
