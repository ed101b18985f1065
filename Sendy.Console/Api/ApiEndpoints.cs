namespace Sendy.Console.Api;

public static class ApiEndpoints
{
    public static WebApplication MapSendyApi(this WebApplication app)
    {
        return app;
    }
}
