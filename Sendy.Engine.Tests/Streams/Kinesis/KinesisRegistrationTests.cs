using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.Kinesis;

namespace Sendy.Engine.Tests.Streams.Kinesis;

public sealed class KinesisRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddLogging()
            .AddKinesisStream(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();

    [Fact]
    public void binds_sendy_stream_and_resolves_the_ports()
    {
        using ServiceProvider services = Build(new()
        {
            ["Sendy:Stream:Endpoint"] = "http://127.0.0.1:45672",
            ["Sendy:Stream:Region"] = "eu-west-1",
            ["Sendy:Stream:StreamName"] = "positions",
            ["Sendy:Stream:ShardCount"] = "3",
        });

        KinesisOptions options = services.GetRequiredService<IOptions<KinesisOptions>>().Value;
        Assert.Equal("positions", options.StreamName);
        Assert.Equal(3, options.ShardCount);
        Assert.True(options.IsLocalEndpoint);
        Assert.IsType<KinesisStreamWriter>(services.GetRequiredService<IStreamWriter>());
        Assert.IsType<KinesisShardReader>(services.GetRequiredService<IShardReader>());
        Assert.Equal(new Uri("http://127.0.0.1:45672/"), services.GetRequiredService<KinesisClient>().Options.ResolveEndpoint());
    }

    [Fact]
    public void no_endpoint_means_the_aws_regional_endpoint_and_the_sdk_credentials()
    {
        var options = new KinesisOptions { Region = "eu-central-1", StreamName = "s" };

        Assert.Equal(new Uri("https://kinesis.eu-central-1.amazonaws.com/"), options.ResolveEndpoint());
        Assert.False(options.IsLocalEndpoint);
        Assert.False(new KinesisOptions { Endpoint = "http://kinesis.internal:4567" }.IsLocalEndpoint);
        Assert.True(new KinesisOptions { Endpoint = "http://localhost:4567" }.IsLocalEndpoint);
    }

    [Theory]
    [InlineData("Sendy:Stream:StreamName", "")]
    [InlineData("Sendy:Stream:Region", "Europe")]
    [InlineData("Sendy:Stream:Endpoint", "not a url")]
    [InlineData("Sendy:Stream:ShardCount", "0")]
    public void invalid_settings_fail_validation(string key, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sendy:Stream:Region"] = "eu-west-1",
            ["Sendy:Stream:StreamName"] = "positions",
            [key] = value,
        };
        using ServiceProvider services = Build(settings);

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<KinesisOptions>>().Value);
    }
}
