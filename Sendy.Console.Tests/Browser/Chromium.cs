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

        // Expect() waits until the page is right, up to this failure deadline (Playwright's own is
        // 5 s): a correct page once took longer on a busy machine and the test failed.
        Assertions.SetDefaultExpectTimeout(30_000);
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
