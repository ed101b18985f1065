namespace Sendy.Engine.Streams;

/// <summary>The stream this node reads and writes; lease rows are keyed by it.</summary>
public sealed record StreamName(string Value)
{
    public override string ToString() => Value;
}
