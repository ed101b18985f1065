using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Components.Pages.Account;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Staff;

/// <summary>Staff sign-in on real Identity tables: roles, lockout, denial, the first admin from configuration.</summary>
public sealed partial class StaffSignInTests(StaffSignInTests.StaffApp app) : IClassFixture<StaffSignInTests.StaffApp>
{
    public const string AdminEmail = "admin@test.local";
    public const string AdminPassword = "first-admin-pass-1";
    private const int UserPermits = 6;
    private const int IpPermits = 8;
    private static int _peers;

    public sealed class StaffApp : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Admin:Email", AdminEmail);
            builder.UseSetting("Sendy:Admin:Password", AdminPassword);
            builder.UseSetting("Sendy:Staff:SignInPerUserPermits", UserPermits.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Sendy:Staff:SignInPerIpPermits", IpPermits.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, TestPeerAddress>());
        }

        public async Task<string> CreateDispatcherAsync()
        {
            await using var scope = Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var email = $"d-{Guid.NewGuid():N}"[..14] + "@test.local";
            var user = new StaffUser { UserName = email, Email = email, DisplayName = "Dispatcher" };
            Assert.True((await users.CreateAsync(user, "dispatcher-pass-1")).Succeeded);
            await users.AddToRoleAsync(user, StaffRoles.Dispatcher);
            return email;
        }
    }

    /// <summary>A browser at an address of its own (sign-in attempts are limited per address).</summary>
    private HttpClient Client()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add(TestPeerAddress.Header, "192.0.2." + (Interlocked.Increment(ref _peers) % 250 + 1));
        return client;
    }

    [GeneratedRegex("data-testid=\"login-error\">([^<]*)<")]
    private static partial Regex LoginError();

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        LoginError().Match(await response.Content.ReadAsStringAsync()).Groups[1].Value;

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password, string returnUrl = "/dispatch") =>
        StaffLogin.PostAsync(client, email, password, returnUrl);

    [Theory]
    [InlineData("/dispatch")]
    [InlineData("/admin/consumers")]
    [InlineData("/admin/staff")]
    [InlineData("/admin/fleet")]
    public async Task anonymous_staff_pages_redirect_to_sign_in(string path)
    {
        var response = await Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_first_admin_from_configuration_signs_in_and_sees_admin_pages()
    {
        var client = Client();
        var signIn = await SignInAsync(client, AdminEmail, AdminPassword, "/admin/consumers");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/admin/consumers", signIn.Headers.Location!.AbsolutePath);
        var cookie = signIn.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("sendy.staff", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/consumers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/dispatch")).StatusCode);
    }

    [Fact]
    public async Task a_dispatcher_sees_the_map_but_is_denied_admin_pages()
    {
        var email = await app.CreateDispatcherAsync();
        var client = Client();
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, email, "dispatcher-pass-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/dispatch")).StatusCode);
        var denied = await client.GetAsync("/admin/consumers");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/denied", denied.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_wrong_password_is_refused_and_five_failures_lock_the_account_without_saying_so()
    {
        var email = await app.CreateDispatcherAsync();
        var client = Client();
        string? firstError = null;
        for (var i = 0; i < 5; i++)
        {
            var refused = await SignInAsync(client, email, "wrong-password-" + i);
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode); // the form again, with the error
            firstError ??= await ErrorOf(refused);
            Assert.Equal(firstError, await ErrorOf(refused));
        }
        Assert.Contains("wrong", firstError, StringComparison.Ordinal);
        var locked = await SignInAsync(client, email, "dispatcher-pass-1"); // right password, but locked now
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Equal(firstError, await ErrorOf(locked)); // a locked account is not told apart either
        Assert.DoesNotContain("sendy.staff=", string.Join(";", locked.Headers.TryGetValues("Set-Cookie", out var set) ? set : []), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_unknown_email_gets_exactly_the_wrong_password_answer()
    {
        var known = await app.CreateDispatcherAsync();
        var wrongPassword = await SignInAsync(Client(), known, "not-the-password-1");
        var unknownUser = await SignInAsync(Client(), "nobody-" + Guid.NewGuid().ToString("N")[..8] + "@test.local", "not-the-password-1");

        Assert.Equal(wrongPassword.StatusCode, unknownUser.StatusCode);
        Assert.Equal(await ErrorOf(wrongPassword), await ErrorOf(unknownUser));
        Assert.NotEmpty(await ErrorOf(unknownUser));
    }

    [Fact]
    public async Task sign_in_attempts_for_one_account_are_limited_whatever_the_address()
    {
        var email = await app.CreateDispatcherAsync();
        for (var i = 0; i < UserPermits; i++)
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(Client(), email, "guess-" + i)).StatusCode);

        var limited = await SignInAsync(Client(), email, "dispatcher-pass-1"); // even the right password, from a new address
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("Too many sign-in attempts", await ErrorOf(limited), StringComparison.Ordinal);
    }

    [Fact]
    public async Task sign_in_attempts_from_one_address_are_limited_whatever_the_account()
    {
        var client = Client();
        for (var i = 0; i < IpPermits; i++)
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(client, $"spray-{i}-{Guid.NewGuid():N}"[..16] + "@test.local", "Summer2026!!")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(client, AdminEmail, AdminPassword)).StatusCode);
    }

    [Fact]
    public async Task a_login_post_without_the_antiforgery_token_is_refused()
    {
        var response = await Client().PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = AdminEmail, ["Input.Password"] = AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/dispatch", "/dispatch")]
    [InlineData("https://evil.example/", "/dispatch")]
    [InlineData("//evil.example/", "/dispatch")]
    [InlineData("/\\evil.example", "/dispatch")]
    [InlineData(null, "/dispatch")]
    [InlineData("/admin/consumers", "/admin/consumers")]
    public void return_urls_stay_on_this_site(string? returnUrl, string expected) =>
        Assert.Equal(expected, Login.SafeReturnUrl(returnUrl));
}
