using System.Globalization;
using System.Text;
using QRCoder;

namespace Sendy.Console.Components.Pages.Admin;

/// <summary>
/// The QR code of a driver link, made on the server (QRCoder computes the modules; we draw them as
/// one SVG path so the page needs no script and the test can read the drawing back).
/// </summary>
public static class FleetLinkQr
{
    /// <summary>Modules of the smallest QR code for <paramref name="text"/> at error correction M, quiet zone included.</summary>
    public static bool[,] Modules(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var rows = data.ModuleMatrix;
        var modules = new bool[rows.Count, rows.Count];
        for (var y = 0; y < rows.Count; y++)
            for (var x = 0; x < rows.Count; x++)
                modules[y, x] = rows[y][x];
        return modules;
    }

    /// <summary>A scalable SVG: one unit per module, each dark module a 1x1 square of a single path.</summary>
    public static string Svg(string text, string title)
    {
        var modules = Modules(text);
        var size = modules.GetLength(0);
        var path = new StringBuilder();
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                if (modules[y, x])
                    path.Append(CultureInfo.InvariantCulture, $"M{x} {y}h1v1h-1z");
        return string.Create(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" role="img" aria-label="{System.Net.WebUtility.HtmlEncode(title)}"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>""");
    }
}
