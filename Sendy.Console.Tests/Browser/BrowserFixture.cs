using Microsoft.Playwright;

namespace Sendy.Console.Tests.Browser;

/// <summary>One app host and one browser for all browser tests.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public UiTestHost Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = UiTestHost.Start();
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }

    /// <summary>A fresh context (own storage) on a phone-sized or desktop viewport.</summary>
    public async Task<IBrowserContext> NewContextAsync(string locale = "en-US", bool phone = false, Action<BrowserNewContextOptions>? configure = null)
    {
        var options = new BrowserNewContextOptions
        {
            BaseURL = Host.BaseAddress.ToString(),
            Locale = locale,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = locale },
            ViewportSize = phone ? new ViewportSize { Width = 412, Height = 915 } : new ViewportSize { Width = 1280, Height = 800 },
            DeviceScaleFactor = 1,
            IsMobile = phone,
            HasTouch = phone,
        };
        configure?.Invoke(options);
        var context = await Browser.NewContextAsync(options);
        // The pages' errors go to the same log as the server's (UiHostLog), for a failure read back later.
        context.Page += (_, page) =>
        {
            page.Console += (_, message) =>
            {
                if (message.Type is "error" or "warning") UiHostLog.Write("browser", $"{message.Type} {page.Url}: {message.Text}");
            };
            page.PageError += (_, error) => UiHostLog.Write("browser", $"page error {page.Url}: {error}");
        };
        return context;
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
