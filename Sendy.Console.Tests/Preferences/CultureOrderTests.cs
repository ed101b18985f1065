using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Console.Preferences;
using Sendy.Console.Tests.Fakes;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Tests.Preferences;

/// <summary>Which language a request gets: cookie > staff profile > delivery > browser > English.</summary>
public sealed class CultureOrderTests
{
    private const string Token = "trk-aaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private readonly FakeDeliveryLocales _locales = new();
    private readonly IServiceProvider _services;

    public CultureOrderTests()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IDeliveryLocales>(_locales);
        services.Configure<RequestLocalizationOptions>(o => o.SetDefaultCulture("en").AddSupportedCultures(UiPreferences.Cultures).AddSupportedUICultures(UiPreferences.Cultures));
        services.AddSendyPreferences();
        _services = services.BuildServiceProvider();
        _locales.Locales[Token] = "ko";
    }

    [Fact]
    public async Task nothing_known_is_english() =>
        Assert.Equal("en", await CultureAsync("/"));

    [Fact]
    public async Task the_browser_language_is_used_when_nothing_else_is_known() =>
        Assert.Equal("ko", await CultureAsync("/", acceptLanguage: "ko-KR,ko;q=0.9"));

    [Fact]
    public async Task a_customer_link_speaks_the_delivery_locale_over_the_browser() =>
        Assert.Equal("ko", await CultureAsync($"/t/{Token}", acceptLanguage: "en-US"));

    [Fact]
    public async Task an_unknown_customer_link_falls_back_to_the_browser() =>
        Assert.Equal("en", await CultureAsync("/t/trk-unknownunknownunknownunknown", acceptLanguage: "en-US"));

    [Fact]
    public async Task the_staff_profile_beats_the_delivery_and_the_browser() =>
        Assert.Equal("en", await CultureAsync($"/t/{Token}", acceptLanguage: "ko-KR", profile: "en"));

    [Fact]
    public async Task the_explicit_cookie_beats_everything() =>
        Assert.Equal("en", await CultureAsync($"/t/{Token}", acceptLanguage: "ko-KR", profile: "ko", cookie: "en"));

    [Fact]
    public async Task a_circuit_speaks_the_language_its_page_was_rendered_in() =>
        Assert.Equal("ko", await CultureAsync("/_blazor", acceptLanguage: "en-US", circuit: "ko"));

    [Fact]
    public async Task the_circuit_cookie_counts_only_for_circuit_requests() =>
        Assert.Equal("en", await CultureAsync("/dispatch", acceptLanguage: "en-US", circuit: "ko"));

    [Fact]
    public async Task an_unsupported_profile_value_is_ignored() =>
        Assert.Equal("ko", await CultureAsync("/", acceptLanguage: "ko-KR", profile: "fr"));

    private async Task<string> CultureAsync(string path, string? acceptLanguage = null, string? profile = null, string? cookie = null, string? circuit = null)
    {
        var http = new DefaultHttpContext { RequestServices = _services };
        http.Request.Path = path;
        if (acceptLanguage is not null) http.Request.Headers.AcceptLanguage = acceptLanguage;
        var cookies = new List<string>();
        if (cookie is not null) cookies.Add($"{CookieRequestCultureProvider.DefaultCookieName}={Uri.EscapeDataString(CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(cookie)))}");
        if (circuit is not null) cookies.Add($"{UiPreferences.CircuitCultureCookie}={circuit}");
        if (cookies.Count > 0) http.Request.Headers.Cookie = string.Join("; ", cookies);
        if (profile is not null)
            http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(UiPreferences.LocaleClaim, profile)], "test"));

        string? seen = null;
        var middleware = new RequestLocalizationMiddleware(_ =>
        {
            seen = CultureInfo.CurrentUICulture.Name;
            return Task.CompletedTask;
        }, _services.GetRequiredService<IOptions<RequestLocalizationOptions>>(), NullLoggerFactory.Instance);
        await middleware.Invoke(http);
        return seen!;
    }
}
