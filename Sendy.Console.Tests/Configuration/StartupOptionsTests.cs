using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sendy.Console.Demo;
using Sendy.Console.Staff;
using Sendy.Engine;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Configuration;

/// <summary>Options read at registration are bound once and a wrong value stops the start, naming the setting.</summary>
public sealed class StartupOptionsTests
{
    private static (ServiceProvider Services, T Bound) Bind<T>(string section, params (string Key, string Value)[] settings) where T : class, new()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection();
        var bound = services.AddValidatedOptions<T>(configuration, section);
        return (services.BuildServiceProvider(), bound);
    }

    private static string StartError(ServiceProvider services) =>
        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate()).Message;

    [Fact]
    public void a_first_admin_email_without_a_password_stops_the_start()
    {
        var (services, _) = Bind<FirstAdminOptions>(FirstAdminOptions.Section, ("Sendy:Admin:Email", "admin@example.com"));
        using (services)
            Assert.Contains("Sendy:Admin:Email and Sendy:Admin:Password go together", StartError(services));
    }

    [Fact]
    public void a_first_admin_password_shorter_than_the_staff_rule_stops_the_start()
    {
        var (services, _) = Bind<FirstAdminOptions>(FirstAdminOptions.Section,
            ("Sendy:Admin:Email", "admin@example.com"), ("Sendy:Admin:Password", "short"));
        using (services)
            Assert.Contains("Password", StartError(services));
    }

    [Fact]
    public void no_first_admin_at_all_is_a_valid_start()
    {
        var (services, _) = Bind<FirstAdminOptions>(FirstAdminOptions.Section);
        using (services)
            services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.com")]
    [InlineData("/relative")]
    public void a_public_base_url_that_is_not_absolute_http_stops_the_start(string url)
    {
        var (services, _) = Bind<PublicLinkOptions>(PublicLinkOptions.Section, ("Sendy:PublicBaseUrl", url));
        using (services)
            Assert.Contains("Sendy:PublicBaseUrl must be an absolute http(s) URL", StartError(services));
    }

    [Fact]
    public void a_public_base_url_gets_exactly_one_trailing_slash()
    {
        var (services, bound) = Bind<PublicLinkOptions>(PublicLinkOptions.Section, ("Sendy:PublicBaseUrl", "https://track.example.com/sendy//"));
        using (services)
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            Assert.Equal("https://track.example.com/sendy/", bound.BaseUri().ToString());
        }
    }

    [Fact]
    public void a_demo_fleet_of_no_trucks_stops_the_start()
    {
        var (services, _) = Bind<DemoOptions>(DemoOptions.Section, ("Sendy:Demo:Enabled", "true"), ("Sendy:Demo:Trucks", "0"));
        using (services)
            Assert.Contains("Trucks", StartError(services));
    }

    [Fact]
    public void registration_decisions_read_the_same_bound_values_the_services_get()
    {
        var (services, bound) = Bind<LiveOptions>(LiveOptions.Section, ("Sendy:Live:FastPath", "false"));
        using (services)
        {
            Assert.False(bound.FastPath);
            Assert.True(bound.CrossNode);
            Assert.False(services.GetRequiredService<IOptions<LiveOptions>>().Value.FastPath);
        }
    }

    [Fact]
    public void hosted_services_stop_side_by_side_so_the_slowest_sets_the_stop_time()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>("ConnectionStrings:Sendy", "Host=127.0.0.1;Database=none")])
            .Build();
        using var services = new ServiceCollection().AddLogging().AddSendyEngine(configuration).BuildServiceProvider();

        Assert.True(services.GetRequiredService<IOptions<HostOptions>>().Value.ServicesStopConcurrently);
    }
}
