using System.Net;

namespace Sendy.Console.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class StaticAssetsTests(BrowserFixture fixture)
{
    [Theory]
    [InlineData("lib/leaflet/leaflet.js", "javascript")]
    [InlineData("lib/leaflet/leaflet.css", "text/css")]
    [InlineData("lib/leaflet/images/marker-icon.png", "image/png")]
    [InlineData("lib/leaflet.markercluster/leaflet.markercluster.js", "javascript")]
    [InlineData("lib/leaflet.markercluster/MarkerCluster.css", "text/css")]
    [InlineData("lib/leaflet.markercluster/MarkerCluster.Default.css", "text/css")]
    [InlineData("js/map.js", "javascript")]
    [InlineData("js/driver.js", "javascript")]
    [InlineData("css/driver.css", "text/css")]
    [InlineData("_content/MudBlazor/MudBlazor.min.css", "text/css")]
    public async Task front_end_files_are_served(string path, string contentType)
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.BaseAddress };

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100);
    }

    [Fact]
    public async Task leaflet_is_the_pinned_version()
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.BaseAddress };

        var script = await client.GetStringAsync("lib/leaflet/leaflet.js");

        Assert.Contains("1.9.4", script[..Math.Min(script.Length, 400)]);
    }
}
