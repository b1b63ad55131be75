namespace Botvisor.Core.Fleet;

/// <summary>Turns a bot as written plus the fleet's defaults into its effective <see cref="BotSpec"/>.</summary>
public static class BotSpecResolver
{
    public static BotSpec Resolve(BotConfig bot, BotOptions defaults, string baseDirectory, string source)
    {
        var o = bot.Or(defaults); // the bot's own options, else the fleet's defaults; the built-in defaults below
        _ = Signals.TryParseStopSignal(o.StopSignal ?? BotDefaults.StopSignal, out int signal);
        string cwd = bot.Cwd is null ? baseDirectory : Path.GetFullPath(bot.Cwd, baseDirectory);

        return new BotSpec
        {
            Id = bot.Id,
            Command = bot.Command,
            WorkingDirectory = cwd,
            Token = bot.Token,
            Env = bot.Env ?? new Dictionary<string, string>(),
            InheritEnv = o.InheritEnv ?? BotDefaults.InheritEnv,
            Autostart = bot.Autostart ?? BotDefaults.Autostart,
            DependsOn = bot.DependsOn,
            Restart = o.Restart ?? BotDefaults.Restart,
            Backoff = new BackoffSettings(
                o.Backoff?.Initial ?? BotDefaults.BackoffInitial,
                o.Backoff?.Multiplier ?? BotDefaults.BackoffMultiplier,
                o.Backoff?.Max ?? BotDefaults.BackoffMax,
                o.Backoff?.Jitter ?? BotDefaults.BackoffJitter),
            MaxRestarts = o.MaxRestarts ?? BotDefaults.MaxRestarts,
            MinUptime = o.MinUptime ?? BotDefaults.MinUptime,
            StopSignal = signal == 0 ? Signals.SIGTERM : signal,
            StopTimeout = o.StopTimeout ?? BotDefaults.StopTimeout,
            LogMaxSize = o.Logs?.MaxSize ?? BotDefaults.LogMaxSize,
            LogMaxFiles = o.Logs?.MaxFiles ?? BotDefaults.LogMaxFiles,
            TelegramApiBaseUrl = (o.Telegram?.ApiBaseUrl ?? BotDefaults.TelegramApiBaseUrl).TrimEnd('/'),
            TelegramValidate = o.Telegram?.Validate ?? BotDefaults.TelegramValidate,
            TelegramCheckInterval = o.Telegram?.CheckInterval,
            TelegramClearWebhook = o.Telegram?.ClearWebhook ?? BotDefaults.TelegramClearWebhook,
            Ready = o.Ready ?? BotDefaults.Ready,
            StartTimeout = o.StartTimeout ?? BotDefaults.StartTimeout,
            Watchdog = o.Watchdog,
            HttpProbe = bot.Health is { } h
                ? new HttpProbeSettings(h.Url, h.Interval ?? BotDefaults.ProbeInterval, h.Timeout ?? BotDefaults.ProbeTimeout,
                    h.Failures ?? BotDefaults.ProbeFailures, h.InitialDelay ?? BotDefaults.ProbeInitialDelay)
                : null,
            MemoryMax = o.MemoryMax,
            CpuMax = o.CpuMax,
            User = o.User,
            Group = o.Group,
            Gateway = bot.Token is not null && (o.Gateway ?? BotDefaults.Gateway),
            MaxPollGap = bot.Token is not null && (o.Gateway ?? BotDefaults.Gateway) ? o.Liveness?.MaxPollGap : null,
            Source = source,
        };
    }

    public static IReadOnlyList<BotSpec> ResolveAll(FleetConfig fleet, string source) =>
        fleet.Bots.Select(b => Resolve(b, fleet.Defaults, fleet.BaseDirectory, source)).ToList();
}
