namespace Sendy.Engine.Exports;

/// <summary>The file formats of the exports. Stored by name in the admin log.</summary>
public enum ExportFormat
{
    Csv,
    Gpx,
}
