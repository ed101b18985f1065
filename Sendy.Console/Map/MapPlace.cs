namespace Sendy.Console.Map;

/// <summary>What a place marker stands for: it picks the icon.</summary>
public enum MapPlaceKind
{
    Pickup,
    Dropoff,
}

/// <summary>A labelled place on the map (pickup, drop-off). The label is plain text, never HTML.</summary>
public sealed record MapPlace(MapPlaceKind Kind, MapPoint Point, string Title, string? Address);
