using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Preferences;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Preferences;

/// <summary>The language and theme switches on the real app: cookies, redirects, the staff profile, first renders.</summary>
public sealed partial class PreferenceEndpointsTests(SendyAppFactory app) : IClassFixture<SendyAppFactory>
{
    private const string Password = "preferences-pass-1";

    /// <summary>The dark palette's background in the theme's CSS variables, however MudBlazor writes the colour.</summary>
    internal const string DarkBackground = @"--mud-palette-background:\s*(#0f1522|rgba\(15,\s*21,\s*34)";

    [GeneratedRegex("<html lang=\"([a-z]+)\"")]
    private static partial Regex HtmlLang();

    private HttpClient Client(string acceptLanguage = "en-US")
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        return client;
    }

    private static async Task<string> LangAsync(HttpClient client, string path) =>
        HtmlLang().Match(await client.GetStringAsync(path)).Groups[1].Value;

    [Fact]
    public async Task choosing_a_language_sets_the_cookie_and_goes_back()
    {
        var client = Client();
        Assert.Equal("en", await LangAsync(client, "/"));

        var response = await client.GetAsync("/culture/ko?returnUrl=" + Uri.EscapeDataString("/account/login?ReturnUrl=%2Fdispatch"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login?ReturnUrl=%2Fdispatch", response.Headers.Location!.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal));
        Assert.Contains("c%3Dko%7Cuic%3Dko", cookie, StringComparison.Ordinal);
        Assert.Equal("ko", await LangAsync(client, "/"));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("dispatch")]
    public async Task a_return_address_off_this_site_is_refused(string returnUrl)
    {
        var response = await Client().GetAsync("/culture/ko?returnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.BadRequest, (await Client().GetAsync("/theme/dark?returnUrl=" + Uri.EscapeDataString(returnUrl))).StatusCode);
    }

    [Theory]
    [InlineData("/culture/fr")]
    [InlineData("/culture/ko-KR")]
    [InlineData("/theme/purple")]
    [InlineData("/theme/1")]
    public async Task an_unknown_choice_is_refused(string path) =>
        Assert.Equal(HttpStatusCode.BadRequest, (await Client().GetAsync(path)).StatusCode);

    [Fact]
    public async Task the_chosen_theme_is_in_the_first_render_and_system_forgets_it()
    {
        var client = Client();
        Assert.DoesNotContain("data-theme=\"dark\"", await client.GetStringAsync("/account/login"));

        var response = await client.GetAsync("/theme/dark?returnUrl=%2Faccount%2Flogin");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var html = await client.GetStringAsync("/account/login");
        Assert.Contains("data-theme=\"dark\"", html);
        Assert.Matches(DarkBackground, html);

        await client.GetAsync("/theme/system?returnUrl=%2F");
        Assert.DoesNotContain("data-theme=\"dark\"", await client.GetStringAsync("/account/login"));
    }

    [Fact]
    public async Task without_a_choice_the_system_preference_hint_decides_the_first_render()
    {
        var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.Add("Sec-CH-Prefers-Color-Scheme", "dark");

        var response = await client.SendAsync(request);

        Assert.Contains("data-theme=\"dark\"", await response.Content.ReadAsStringAsync());
        Assert.Equal("Sec-CH-Prefers-Color-Scheme", response.Headers.GetValues("Accept-CH").Single());
    }

    [Fact]
    public async Task a_customer_link_speaks_the_delivery_locale_and_its_circuit_does_too()
    {
        var (_, _, trackingToken) = await app.CreateTruckWithDeliveryAsync(); // booked in Korean (the default locale)
        var client = Client("en-US");

        var response = await client.GetAsync($"/t/{trackingToken}");

        Assert.Equal("ko", HtmlLang().Match(await response.Content.ReadAsStringAsync()).Groups[1].Value);
        var circuit = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(UiPreferences.CircuitCultureCookie + "=", StringComparison.Ordinal));
        Assert.Contains("=ko;", circuit, StringComparison.Ordinal);
        Assert.Contains("path=/_blazor", circuit, StringComparison.OrdinalIgnoreCase);

        await client.GetAsync($"/culture/en?returnUrl=%2Ft%2F{trackingToken}");
        Assert.Equal("en", await LangAsync(client, $"/t/{trackingToken}"));
    }

    [Fact]
    public async Task a_staff_members_choice_is_kept_in_the_profile_and_follows_them_to_another_browser()
    {
        var email = await CreateDispatcherAsync();
        var first = Client("en-US");
        await SignInAsync(first, email);

        Assert.Equal(HttpStatusCode.Redirect, (await first.GetAsync("/culture/ko?returnUrl=%2Fdispatch")).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var user = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
            Assert.Equal("ko", user!.Locale);
        }

        var second = Client("en-US"); // another browser: no culture cookie, English browser
        Assert.Equal("en", await LangAsync(second, "/"));
        await SignInAsync(second, email);
        Assert.Equal("ko", await LangAsync(second, "/dispatch"));
    }

    private async Task<string> CreateDispatcherAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(StaffRoles.Dispatcher)) await roles.CreateAsync(new IdentityRole(StaffRoles.Dispatcher));
        var users = services.GetRequiredService<UserManager<StaffUser>>();
        var email = $"p-{Guid.NewGuid():N}"[..14] + "@test.local";
        var user = new StaffUser { UserName = email, Email = email, DisplayName = "Dispatcher" };
        Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        await users.AddToRoleAsync(user, StaffRoles.Dispatcher);
        return email;
    }

    private static async Task SignInAsync(HttpClient client, string email) =>
        Assert.Equal(HttpStatusCode.Redirect, (await StaffLogin.PostAsync(client, email, Password)).StatusCode);
}
