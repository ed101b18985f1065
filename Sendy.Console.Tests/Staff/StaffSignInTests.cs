using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
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

    public sealed class StaffApp : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Admin:Email", AdminEmail);
            builder.UseSetting("Sendy:Admin:Password", AdminPassword);
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

    private HttpClient Client() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password, string returnUrl = "/dispatch")
    {
        var form = await client.GetStringAsync("/account/login");
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the login form carries an antiforgery token");
        return await client.PostAsync($"/account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

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
    public async Task a_wrong_password_is_refused_and_five_failures_lock_the_account()
    {
        var email = await app.CreateDispatcherAsync();
        var client = Client();
        for (var i = 0; i < 5; i++)
        {
            var refused = await SignInAsync(client, email, "wrong-password-" + i);
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode); // the form again, with the error
            Assert.Contains("data-testid=\"login-error\"", await refused.Content.ReadAsStringAsync());
        }
        var locked = await SignInAsync(client, email, "dispatcher-pass-1"); // right password, but locked now
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Contains("locked", await locked.Content.ReadAsStringAsync());
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
