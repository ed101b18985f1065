using Microsoft.Extensions.Options;

namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>Options that never change, for a class that takes a monitor.</summary>
public sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
