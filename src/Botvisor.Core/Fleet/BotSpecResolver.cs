namespace Botvisor.Core.Fleet;

/// <summary>Turns a bot as written plus the fleet's defaults into its effective <see cref="BotSpec"/>.</summary>
public static class BotSpecResolver
{
    public static BotSpec Resolve(BotConfig bot, FleetDefaults defaults, string baseDirectory, string source)
    {
        var backoff = bot.Backoff;
        var fallback = defaults.Backoff;
        string stopSignal = bot.StopSignal ?? defaults.StopSignal ?? BotDefaults.StopSignal;
        _ = Signals.TryParseStopSignal(stopSignal, out int signal);
        string cwd = bot.Cwd is null ? baseDirectory : Path.GetFullPath(bot.Cwd, baseDirectory);

        return new BotSpec
        {
            Id = bot.Id,
            Command = bot.Command,
            WorkingDirectory = cwd,
            Token = bot.Token,
            Env = bot.Env ?? new Dictionary<string, string>(),
            InheritEnv = bot.InheritEnv ?? defaults.InheritEnv ?? BotDefaults.InheritEnv,
            Autostart = bot.Autostart ?? BotDefaults.Autostart,
            DependsOn = bot.DependsOn,
            Restart = bot.Restart ?? defaults.Restart ?? BotDefaults.Restart,
            Backoff = new BackoffSettings(
                backoff?.Initial ?? fallback?.Initial ?? BotDefaults.BackoffInitial,
                backoff?.Multiplier ?? fallback?.Multiplier ?? BotDefaults.BackoffMultiplier,
                backoff?.Max ?? fallback?.Max ?? BotDefaults.BackoffMax,
                backoff?.Jitter ?? fallback?.Jitter ?? BotDefaults.BackoffJitter),
            MaxRestarts = bot.MaxRestarts ?? defaults.MaxRestarts ?? BotDefaults.MaxRestarts,
            MinUptime = bot.MinUptime ?? defaults.MinUptime ?? BotDefaults.MinUptime,
            StopSignal = signal == 0 ? Signals.SIGTERM : signal,
            StopTimeout = bot.StopTimeout ?? defaults.StopTimeout ?? BotDefaults.StopTimeout,
            LogMaxSize = bot.Logs?.MaxSize ?? defaults.Logs?.MaxSize ?? BotDefaults.LogMaxSize,
            LogMaxFiles = bot.Logs?.MaxFiles ?? defaults.Logs?.MaxFiles ?? BotDefaults.LogMaxFiles,
            TelegramApiBaseUrl = (bot.Telegram?.ApiBaseUrl ?? defaults.Telegram?.ApiBaseUrl ?? BotDefaults.TelegramApiBaseUrl).TrimEnd('/'),
            TelegramValidate = bot.Telegram?.Validate ?? defaults.Telegram?.Validate ?? BotDefaults.TelegramValidate,
            TelegramCheckInterval = bot.Telegram?.CheckInterval ?? defaults.Telegram?.CheckInterval,
            TelegramClearWebhook = bot.Telegram?.ClearWebhook ?? defaults.Telegram?.ClearWebhook ?? BotDefaults.TelegramClearWebhook,
            Ready = bot.Ready ?? defaults.Ready ?? BotDefaults.Ready,
            StartTimeout = bot.StartTimeout ?? defaults.StartTimeout ?? BotDefaults.StartTimeout,
            Watchdog = bot.Watchdog ?? defaults.Watchdog,
            HttpProbe = bot.Health is { } h
                ? new HttpProbeSettings(h.Url, h.Interval ?? BotDefaults.ProbeInterval, h.Timeout ?? BotDefaults.ProbeTimeout,
                    h.Failures ?? BotDefaults.ProbeFailures, h.InitialDelay ?? BotDefaults.ProbeInitialDelay)
                : null,
            MemoryMax = bot.MemoryMax ?? defaults.MemoryMax,
            CpuMax = bot.CpuMax ?? defaults.CpuMax,
            User = bot.User ?? defaults.User,
            Group = bot.Group ?? defaults.Group,
            Source = source,
        };
    }

    public static IReadOnlyList<BotSpec> ResolveAll(FleetConfig fleet, string source) =>
        fleet.Bots.Select(b => Resolve(b, fleet.Defaults, fleet.BaseDirectory, source)).ToList();
}
