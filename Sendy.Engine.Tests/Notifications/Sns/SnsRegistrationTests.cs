using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sendy.Engine.Notifications.Sns;

namespace Sendy.Engine.Tests.Notifications.Sns;

public sealed class SnsRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddLogging()
            .AddSnsNotifications(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();

    [Fact]
    public void binds_sendy_sns_and_resolves_the_ports_and_the_topic_bootstrap()
    {
        using ServiceProvider services = Build(new()
        {
            ["Sendy:Sns:Enabled"] = "true",
            ["Sendy:Sns:Endpoint"] = "http://127.0.0.1:45000",
            ["Sendy:Sns:Region"] = "ap-northeast-2",
            ["Sendy:Sns:TopicArn"] = "arn:aws:sns:ap-northeast-2:123456789012:sendy-status",
            ["Sendy:Sns:CreateTopicIfMissing"] = "true",
        });

        SnsOptions options = services.GetRequiredService<IOptions<SnsOptions>>().Value;
        Assert.True(options.IsLocalEndpoint);
        Assert.Equal("sendy-status", options.TopicName);
        Assert.IsType<SnsPublisher>(services.GetRequiredService<ISnsPublisher>());
        Assert.IsType<SnsTopicAdmin>(services.GetRequiredService<ISnsTopicAdmin>());
        Assert.Contains(services.GetServices<IHostedService>(), s => s is SnsTopicBootstrap);
    }

    [Fact]
    public void no_endpoint_means_aws_and_no_bootstrap_without_the_flag()
    {
        using ServiceProvider services = Build(new()
        {
            ["Sendy:Sns:Enabled"] = "true",
            ["Sendy:Sns:Region"] = "ap-northeast-2",
            ["Sendy:Sns:TopicArn"] = "arn:aws:sns:ap-northeast-2:123456789012:sendy-status",
        });

        SnsOptions options = services.GetRequiredService<IOptions<SnsOptions>>().Value;
        Assert.Equal(new Uri("https://sns.ap-northeast-2.amazonaws.com/"), options.ResolveEndpoint());
        Assert.False(options.IsLocalEndpoint);
        Assert.DoesNotContain(services.GetServices<IHostedService>(), s => s is SnsTopicBootstrap);
    }

    [Theory]
    [InlineData("Sendy:Sns:TopicArn", "sendy-status")]
    [InlineData("Sendy:Sns:Region", "Seoul")]
    [InlineData("Sendy:Sns:Endpoint", "not a url")]
    public void invalid_settings_fail_validation_when_enabled(string key, string value)
    {
        using ServiceProvider services = Build(new()
        {
            ["Sendy:Sns:Enabled"] = "true",
            ["Sendy:Sns:TopicArn"] = "arn:aws:sns:us-east-1:123456789012:sendy-status",
            [key] = value,
        });

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SnsOptions>>().Value);
    }

    [Fact]
    public void disabled_sns_needs_no_other_setting()
    {
        using ServiceProvider services = Build(new() { ["Sendy:Sns:Enabled"] = "false" });

        Assert.False(services.GetRequiredService<IOptions<SnsOptions>>().Value.Enabled);
    }
}
