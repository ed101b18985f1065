using Sendy.Engine.Tracking;

namespace Sendy.Engine.Ingest;

/// <summary>
/// Told about fixes once the stream has acknowledged every one of them (never before, never for a
/// refused put). The live fast path listens here. Must not block: the API answers after it returns.
/// </summary>
public interface IAcceptedPositionsListener
{
    void OnAccepted(IReadOnlyList<TruckPosition> positions);
}
