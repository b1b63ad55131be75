// A .NET bot on the Generic Host under Botvisor.
//
// UseSystemd() / AddSystemd() switch themselves on only when the parent process is systemd
// (SystemdHelpers.IsSystemdService()), so under Botvisor they do nothing. What they register is
// public, though: SystemdNotifier (sends to NOTIFY_SOCKET) and SystemdLifetime (READY=1 when the
// host has started, STOPPING=1 on shutdown). Register the two directly, and the same bot reports
// readiness under systemd and under Botvisor alike:
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

var builder = Host.CreateApplicationBuilder(args);
if (Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is not null)
{
    builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
    builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
}
builder.Services.AddHostedService<Heartbeat>();
await builder.Build().RunAsync();

internal sealed class Heartbeat(ISystemdNotifier? notifier = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        notifier?.Notify(new ServiceState("STATUS=generic host running"));
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            notifier?.Notify(new ServiceState("WATCHDOG=1"));
        }
    }
}
