using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Components.Pages.Driver;
using Sendy.Console.Tests.Fakes;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Driver;

public sealed class DriverPageTests : SendyBunitContext
{
    private readonly FakeTrackingQueries _queries = new();

    public DriverPageTests()
    {
        Services.AddSingleton<ITrackingQueries>(_queries);
        _queries.Drivers[TestData.DriverToken] = TestData.Driver();
    }

    [Fact]
    public void known_token_renders_the_shell_with_token_and_texts_for_the_script()
    {
        UseCulture("en");

        var page = Render<DriverPage>(p => p.Add(x => x.Token, TestData.DriverToken));

        var app = page.Find("#driver-app");
        Assert.Equal(TestData.DriverToken, app.GetAttribute("data-token"));
        Assert.Equal("Start sharing", app.GetAttribute("data-text-start"));
        Assert.Equal("Stop", app.GetAttribute("data-text-stop"));
        Assert.Equal("This link is no longer valid. Sharing stopped.", app.GetAttribute("data-text-linkinvalid"));
        Assert.Contains("{0}", app.GetAttribute("data-text-uploadretry"));
        Assert.Contains("Kim Minji", page.Find("h1").TextContent);
        Assert.Contains(TestData.TruckId, app.TextContent);
        Assert.Equal("Start sharing", page.Find("#share-toggle").TextContent);
        Assert.Contains("js/driver.js", page.Find("script[type=module]").GetAttribute("src"));
    }

    [Fact]
    public void script_texts_follow_the_request_language()
    {
        UseCulture("ko");

        var page = Render<DriverPage>(p => p.Add(x => x.Token, TestData.DriverToken));

        var app = page.Find("#driver-app");
        Assert.Equal("공유 시작", app.GetAttribute("data-text-start"));
        Assert.Equal("중지", app.GetAttribute("data-text-stop"));
        Assert.Contains("안녕하세요", page.Find("h1").TextContent);
    }

    [Fact]
    public void unknown_token_shows_link_not_found_and_no_script()
    {
        UseCulture("en");

        var page = Render<DriverPage>(p => p.Add(x => x.Token, "drv-unknown"));

        Assert.Contains("Link not found or expired", page.Find("[data-testid=link-not-found]").TextContent);
        Assert.Empty(page.FindAll("#driver-app"));
        Assert.Empty(page.FindAll("script"));
    }
}
