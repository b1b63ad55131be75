using Botvisor.Core.Cluster;
using Botvisor.Core.Gateway;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Botvisor.Gateway;

/// <summary>The gateway's services in the daemon: its registry, the lease fence it asks, the forwarder and its listener.</summary>
public static class GatewayServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton(sp => new GatewayRegistry(sp.GetRequiredService<TimeProvider>()));
        // One node on its own store always holds every bot; the cluster registers its lease fence first.
        services.TryAddSingleton<ILeaseFence>(SingleNodeFence.Instance);
        services.AddSingleton(sp =>
        {
            var state = sp.GetRequiredService<FleetStateService>();
            var store = sp.GetRequiredService<StoreWriter>();
            var time = sp.GetRequiredService<TimeProvider>();
            return new GatewayForwarder(sp.GetRequiredService<GatewayRegistry>(), sp.GetRequiredService<ILeaseFence>(), GatewayForwarder.CreateClient(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<GatewayForwarder>(),
                (botId, message) => store.Record(new BotEvent
                {
                    Time = time.GetUtcNow(), Kind = BotEventKinds.Gateway, BotId = botId, State = state.Get(botId)?.State.ToName() ?? "", Message = message,
                }));
        });
        services.AddSingleton<GatewayHost>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayHost>());
    }
}
