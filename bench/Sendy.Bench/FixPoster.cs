using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Sendy.Bench;

/// <summary>Posts fixes through the public ingest API, as a driver's page or a tracker would.</summary>
public static class FixPoster
{
    public static string Body(IEnumerable<(double Lat, double Lon, DateTimeOffset At)> fixes)
    {
        var sb = new StringBuilder("{\"fixes\":[");
        var first = true;
        foreach (var (lat, lon, at) in fixes)
        {
            if (!first) sb.Append(',');
            first = false;
            sb.Append(CultureInfo.InvariantCulture, $$"""{"lat":{{lat:R}},"lon":{{lon:R}},"recordedAt":"{{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}}","speed":22.5,"heading":90,"accuracy":5}""");
        }
        return sb.Append("]}").ToString();
    }

    public static async Task<HttpStatusCode> PostAsync(HttpClient http, string driverToken, string body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/positions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", driverToken);
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode;
    }
}
