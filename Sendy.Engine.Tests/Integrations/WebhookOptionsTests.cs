using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sendy.Engine.Integrations.Webhooks;

namespace Sendy.Engine.Tests.Integrations;

/// <summary>Where webhooks may go by environment: plain http only on a development machine, and options refused on start when they contradict.</summary>
public sealed class WebhookOptionsTests
{
    private static WebhookOptions Resolve(string environment, Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = environment });
        services.AddSingleton(TimeProvider.System);
        services.AddSendyWebhooks(configuration);
        return services.BuildServiceProvider().GetRequiredService<IOptions<WebhookOptions>>().Value;
    }

    [Fact]
    public void http_receivers_are_allowed_in_development_only()
    {
        Assert.True(Resolve(Environments.Development).AllowHttp);
        Assert.False(Resolve(Environments.Production).AllowHttp);
        Assert.False(Resolve(Environments.Staging).AllowHttp);
        Assert.Equal(WebhookUrlProblem.HttpsRequired, WebhookTargets.Check("http://hooks.example.com/x", Resolve(Environments.Production).AllowHttp, _ => false));
    }

    [Fact]
    public void contradicting_options_are_refused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(Environments.Production, new()
        {
            ["Sendy:Webhooks:FirstRetryDelay"] = "00:10:00", ["Sendy:Webhooks:MaxRetryDelay"] = "00:01:00",
            ["Sendy:Webhooks:Concurrency"] = "4", ["Sendy:Webhooks:PerEndpointConcurrency"] = "8",
        }));
        Assert.Contains("MaxRetryDelay", error.Message);
        Assert.Contains("PerEndpointConcurrency", error.Message);
    }
}
