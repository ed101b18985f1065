using System.Text.RegularExpressions;

namespace Sendy.Console.Tests.Infrastructure;

/// <summary>Signs in through the real login form, as a browser does: its antiforgery field, then the post.</summary>
public static partial class StaffLogin
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    /// <summary>The form's answer: a redirect to <paramref name="returnUrl"/> on success, the form again with its error otherwise.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string email, string password, string returnUrl = "/dispatch")
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

    /// <summary>The staff cookie's "name=value" after a successful sign-in.</summary>
    public static async Task<string> CookieAsync(HttpClient client, string email, string password)
    {
        var response = await PostAsync(client, email, password);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        var setCookie = response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("sendy.staff=", StringComparison.Ordinal));
        return setCookie.Split(';', 2)[0];
    }
}
