using System.ComponentModel.DataAnnotations;

namespace Sendy.Console.Map;

/// <summary>Map settings, bound from <c>Sendy:Map</c>.</summary>
public sealed class MapOptions
{
    public const string SectionName = "Sendy:Map";

    /// <summary>Leaflet tile URL template; empty means no tile layer (plain background).</summary>
    public string TileUrl { get; set; } = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

    [Required(AllowEmptyStrings = true)]
    public string Attribution { get; set; } =
        "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors";

    [Range(1, 22)]
    public int MaxZoom { get; set; } = 19;

    /// <summary>Zoom used when the map first centres on a truck.</summary>
    [Range(1, 22)]
    public int TruckZoom { get; set; } = 14;
}
