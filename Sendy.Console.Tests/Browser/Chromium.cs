using Microsoft.Playwright;

namespace Sendy.Console.Tests.Browser;

/// <summary>Debian's Chromium through Playwright; never a downloaded browser.</summary>
public static class Chromium
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("SENDY_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var path = ExecutablePath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Chromium not found at '{path}'. Install Debian's chromium package (apt-get install chromium) " +
                "or point SENDY_CHROMIUM at a Chromium binary. Browser tests do not skip.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
        return (playwright, browser);
    }
}
