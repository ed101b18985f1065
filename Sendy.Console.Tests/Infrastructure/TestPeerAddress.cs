using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Sendy.Console.Tests.Infrastructure;

/// <summary>
/// The in-process test server has no TCP peer. This filter, first in the pipeline, makes the
/// X-Test-Peer header the peer's address (what a socket would give), so tests can call as a
/// trusted proxy, as a client behind it, or as a stranger on the internet.
/// </summary>
public sealed class TestPeerAddress : IStartupFilter
{
    public const string Header = "X-Test-Peer";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            if (context.Request.Headers[Header] is [{ } peer]) context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
            return following(context);
        });
        next(app);
    };
}
