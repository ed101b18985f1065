namespace Sendy.Engine.Deliveries;

public sealed record LogPage<T>(IReadOnlyList<T> Rows, int Total);
