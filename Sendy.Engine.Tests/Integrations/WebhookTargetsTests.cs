using System.Net;
using System.Net.Sockets;
using Sendy.Engine.Integrations.Webhooks;

namespace Sendy.Engine.Tests.Integrations;

/// <summary>Where webhooks may go: public addresses only, unless an admin allowed the host; checked on the URL and again at connect time.</summary>
public sealed class WebhookTargetsTests
{
    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("1.1.1.1", true)]
    [InlineData("203.0.114.1", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::808:808", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.255.255.254", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)] // cloud metadata
    [InlineData("100.64.0.1", false)]
    [InlineData("192.0.2.1", false)]
    [InlineData("198.18.0.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("64:ff9b::a00:1", false)] // NAT64 of 10.0.0.1
    [InlineData("::127.0.0.1", false)]
    public void only_public_addresses_are_webhook_targets(string address, bool expected) =>
        Assert.Equal(expected, WebhookTargets.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void every_address_of_the_private_ranges_is_refused()
    {
        var random = new Random(17);
        for (var i = 0; i < 2_000; i++)
        {
            var (a, b, c) = ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            Assert.False(WebhookTargets.IsPublic(new IPAddress([10, a, b, c])));
            Assert.False(WebhookTargets.IsPublic(new IPAddress([127, a, b, c])));
            Assert.False(WebhookTargets.IsPublic(new IPAddress([172, (byte)(16 + a % 16), b, c])));
            Assert.False(WebhookTargets.IsPublic(new IPAddress([192, 168, b, c])));
            Assert.False(WebhookTargets.IsPublic(new IPAddress([169, 254, b, c])));
            Assert.False(WebhookTargets.IsPublic(new IPAddress([10, a, b, c]).MapToIPv6()));
        }
    }

    [Theory]
    [InlineData("https://hooks.example.com/sendy", false, null)]
    [InlineData("http://hooks.example.com/sendy", false, WebhookUrlProblem.HttpsRequired)]
    [InlineData("http://hooks.example.com/sendy", true, null)]
    [InlineData("https://127.0.0.1/hook", false, WebhookUrlProblem.PrivateAddress)]
    [InlineData("https://localhost/hook", false, WebhookUrlProblem.PrivateAddress)]
    [InlineData("https://[::1]/hook", false, WebhookUrlProblem.PrivateAddress)]
    [InlineData("https://169.254.169.254/latest/meta-data", false, WebhookUrlProblem.PrivateAddress)]
    [InlineData("https://user:pass@hooks.example.com/", false, WebhookUrlProblem.Invalid)]
    [InlineData("ftp://hooks.example.com/", false, WebhookUrlProblem.Invalid)]
    [InlineData("/relative", false, WebhookUrlProblem.Invalid)]
    [InlineData("https://hooks.example.com/#frag", false, WebhookUrlProblem.Invalid)]
    [InlineData("", false, WebhookUrlProblem.Invalid)]
    public void urls_are_checked_as_given(string url, bool allowHttp, WebhookUrlProblem? expected) =>
        Assert.Equal(expected, WebhookTargets.Check(url, allowHttp, _ => false));

    [Fact]
    public void an_admin_allowed_host_may_be_private()
    {
        Assert.Null(WebhookTargets.Check("https://10.0.0.5/hook", false, host => host == "10.0.0.5"));
        Assert.Equal(WebhookUrlProblem.PrivateAddress, WebhookTargets.Check("https://10.0.0.6/hook", false, host => host == "10.0.0.5"));
    }

    [Fact]
    public async Task at_connect_time_a_name_that_resolves_to_loopback_is_refused_unless_allowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var refused = await Assert.ThrowsAsync<WebhookTargetRefusedException>(async () =>
            await WebhookTargets.ConnectAsync(new DnsEndPoint("localhost", port), _ => false, default));
        Assert.Equal("localhost", refused.Host);
        await Assert.ThrowsAsync<WebhookTargetRefusedException>(async () =>
            await WebhookTargets.ConnectAsync(new DnsEndPoint("127.0.0.1", port), _ => false, default));

        await using var stream = await WebhookTargets.ConnectAsync(new DnsEndPoint("127.0.0.1", port), host => host == "127.0.0.1", default);
        using var accepted = await listener.AcceptTcpClientAsync();
        Assert.True(accepted.Connected);
    }
}
