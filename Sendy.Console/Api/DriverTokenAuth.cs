namespace Sendy.Console.Api;

/// <summary>
/// Endpoint metadata: the endpoint takes the driver token as its bearer token and checks it itself
/// (<see cref="BearerToken"/>), with no authorization policy. It only tells the OpenAPI document
/// which security scheme the endpoint wants.
/// </summary>
public sealed class DriverTokenAuth
{
    public static readonly DriverTokenAuth Instance = new();

    private DriverTokenAuth()
    {
    }
}

public static class DriverTokenAuthExtensions
{
    /// <summary>Marks a driver endpoint (see <see cref="DriverTokenAuth"/>).</summary>
    public static RouteHandlerBuilder WithDriverTokenAuth(this RouteHandlerBuilder builder) => builder.WithMetadata(DriverTokenAuth.Instance);
}
