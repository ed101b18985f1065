using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Consumers;

namespace Sendy.Engine.Nodes;

public static class NodesServiceCollectionExtensions
{
    /// <summary>This node's <see cref="NodeId"/>, from Sendy:Consumer:WorkerId (unique per process by default).</summary>
    public static IServiceCollection AddSendyNode(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new NodeId(sp.GetRequiredService<IOptions<ConsumerOptions>>().Value.WorkerId));
        return services;
    }
}
