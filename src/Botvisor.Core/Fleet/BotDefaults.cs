namespace Botvisor.Core.Fleet;

/// <summary>The built-in defaults: the one place where a missing value gets its meaning.</summary>
public static class BotDefaults
{
    public const RestartPolicy Restart = RestartPolicy.OnFailure;
    public static readonly TimeSpan BackoffInitial = TimeSpan.FromSeconds(1);
    public const double BackoffMultiplier = 2.0;
    public static readonly TimeSpan BackoffMax = TimeSpan.FromMinutes(1);
    public const double BackoffJitter = 0.2;
    public const int MaxRestarts = 10;
    public static readonly TimeSpan MinUptime = TimeSpan.FromSeconds(30);
    public const string StopSignal = "SIGTERM";
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    public const bool InheritEnv = true;
    public const bool Autostart = true;
    public const long LogMaxSize = 10L * 1024 * 1024;
    public const int LogMaxFiles = 5;
    public const string TelegramApiBaseUrl = "https://api.telegram.org";
    public const bool TelegramValidate = true;
    public const ReadyMode Ready = ReadyMode.Started;
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    public const int ProbeFailures = 3;
    public static readonly TimeSpan ProbeInitialDelay = TimeSpan.Zero;
    public const bool TelegramClearWebhook = false;
    public const bool Gateway = false;
}
