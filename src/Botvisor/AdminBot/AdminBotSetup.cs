using Botvisor.Alerts;
using Botvisor.Core.AdminBot;
using Botvisor.Core.Alerts;
using Botvisor.Core.Fleet;
using Botvisor.Core.Health;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Core.Telegram;
using Botvisor.Hosting;

namespace Botvisor.AdminBot;

/// <summary>Registers the alert center, its channels (the admin bot's chats, webhooks) and the admin bot.</summary>
public static class AdminBotSetup
{
    /// <summary>The fleet's <c>admin:</c> with its Bot API base URL settled: its own, else <c>defaults.telegram.api_base_url</c>, else Telegram's.</summary>
    public static AdminConfig? WithBaseUrl(FleetConfig fleet) => fleet.Admin is { } admin
        ? admin with { ApiBaseUrl = admin.ApiBaseUrl ?? fleet.Defaults.Telegram?.ApiBaseUrl ?? BotDefaults.TelegramApiBaseUrl }
        : null;

    public static void AddAlertsAndAdminBot(IServiceCollection services, DaemonOptions options)
    {
        var timings = AlertTimings.From(options.Alerts);
        if (options.Admin is { } admin)
        {
            services.AddSingleton<ITelegramBotApi>(_ => new HttpTelegramBotApi(admin.ApiBaseUrl ?? BotDefaults.TelegramApiBaseUrl, admin.Token));
            services.AddSingleton(sp => new TelegramSender(sp.GetRequiredService<ITelegramBotApi>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TelegramSender>>()));
            services.AddSingleton(sp => new TelegramAdminBot(admin, sp.GetRequiredService<ITelegramBotApi>(), sp.GetRequiredService<TelegramSender>(), new AdminBotServices
            {
                State = sp.GetRequiredService<FleetStateService>(),
                Reconciler = sp.GetRequiredService<FleetReconciler>(),
                Controller = sp.GetRequiredService<FleetController>(),
                Store = sp.GetRequiredService<IFleetStore>(),
                Writer = sp.GetRequiredService<StoreWriter>(),
                Sampler = sp.GetRequiredService<ResourceSampler>(),
                Alerts = sp.GetRequiredService<AlertCenter>(),
                Time = sp.GetRequiredService<TimeProvider>(),
            }, sp.GetRequiredService<ILogger<TelegramAdminBot>>()));
        }
        services.AddSingleton(sp =>
        {
            var channels = new List<IAlertChannel>();
            if (options.Admin is { Chats.Count: > 0 } a) channels.Add(new TelegramAlertChannel(sp.GetRequiredService<TelegramSender>(), a.Chats, timings.DigestAfter));
            channels.AddRange(options.Alerts.Webhooks.Select(w => new WebhookAlertChannel(w, sp.GetRequiredService<TimeProvider>())));
            return new AlertCenter(timings, channels, sp.GetRequiredService<StoreWriter>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AlertCenter>>(),
                new SilenceFile(Path.Combine(options.StateDirectory, SilenceFile.FileName)));
        });
        services.AddHostedService<AdminBotHostedService>();
    }
}

/// <summary>Starts the alert center (and the admin bot) with the daemon; stops them after the fleet has stopped.</summary>
internal sealed class AdminBotHostedService(AlertCenter alerts, IServiceProvider services, StoreWriter writer, TimeProvider time) : IHostedService
{
    private TelegramAdminBot? _bot;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        alerts.Start();
        _bot = services.GetService<TelegramAdminBot>();
        if (_bot is not null)
        {
            var sender = services.GetRequiredService<TelegramSender>();
            sender.ChatMigrated += (from, to) => Record($"chat {from} became the supergroup {to}; alerts follow it (put {to} in admin.chats)");
            sender.ChatFailed += (chat, why) => Record($"chat {chat} cannot be written to ({why}); it is skipped until the daemon restarts");
            _bot.Start();
        }
        return Task.CompletedTask;
    }

    private void Record(string message) => writer.Record(new BotEvent { Time = time.GetUtcNow(), Kind = BotEventKinds.Alert, Actor = "daemon", Message = "admin bot: " + message });

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_bot is not null) await _bot.DisposeAsync().ConfigureAwait(false);
        await alerts.DisposeAsync().ConfigureAwait(false);
        foreach (var c in alerts.Channels.OfType<IDisposable>()) c.Dispose();
    }
}
