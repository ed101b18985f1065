using System.Text.RegularExpressions;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Engine.Security;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Sendy.Console.Tests.Admin;

/// <summary>
/// The driver link's QR code carries the link: an independent decoder (ZXing) reads the modules
/// back to the URL, and the SVG draws exactly those modules. What this does not prove: that a
/// phone camera reads it off a screen (the Playwright test only sees it rendered).
/// </summary>
public sealed partial class FleetLinkQrTests
{
    private const int PixelsPerModule = 4;

    [Theory]
    [InlineData("http://sendy.test/d/")]
    [InlineData("https://sendy.example.co.kr/d/")]
    public void the_modules_decode_to_the_driver_link(string prefix)
    {
        var url = prefix + AccessTokens.Create();

        Assert.Equal(url, Decode(FleetLinkQr.Modules(url)));
    }

    [Fact]
    public void the_svg_draws_exactly_the_modules_of_the_code()
    {
        var url = "http://sendy.test/d/" + AccessTokens.Create();
        var modules = FleetLinkQr.Modules(url);
        var size = modules.GetLength(0);

        var svg = FleetLinkQr.Svg(url, "QR <code>");

        Assert.Contains($"viewBox=\"0 0 {size} {size}\"", svg);
        Assert.Contains("aria-label=\"QR &lt;code&gt;\"", svg);
        var drawn = new bool[size, size];
        foreach (Match square in Square().Matches(svg))
            drawn[int.Parse(square.Groups["y"].Value), int.Parse(square.Groups["x"].Value)] = true;
        Assert.Equal(modules, drawn);
        Assert.Equal(url, Decode(drawn));
    }

    [Fact]
    public void a_different_link_makes_a_different_code()
    {
        var a = FleetLinkQr.Modules("http://sendy.test/d/" + AccessTokens.Create());
        var b = FleetLinkQr.Modules("http://sendy.test/d/" + AccessTokens.Create());

        Assert.NotEqual(a, b);
    }

    /// <summary>
    /// Renders the modules as a grayscale image (dark = 0) and decodes it as a whole code
    /// (PURE_BARCODE). Without that hint ZXing must first find the code in the picture, and on
    /// these tiny synthetic images its finder-pattern search missed about 1 in 100 random links
    /// (600 tried: 7 misses, 0 with the hint), which made this test flaky without saying anything
    /// about the code itself.
    /// </summary>
    internal static string? Decode(bool[,] modules)
    {
        var size = modules.GetLength(0) * PixelsPerModule;
        var pixels = new byte[size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                pixels[y * size + x] = modules[y / PixelsPerModule, x / PixelsPerModule] ? (byte)0 : (byte)255;
        var bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(pixels, size, size, RGBLuminanceSource.BitmapFormat.Gray8)));
        return new QRCodeReader().decode(bitmap, new Dictionary<DecodeHintType, object> { [DecodeHintType.PURE_BARCODE] = true })?.Text;
    }

    [GeneratedRegex(@"M(?<x>\d+) (?<y>\d+)h1v1h-1z")]
    private static partial Regex Square();
}
