namespace Sendy.Console.Map;

/// <summary>A WGS 84 point for the map API.</summary>
public readonly record struct MapPoint(double Latitude, double Longitude);
