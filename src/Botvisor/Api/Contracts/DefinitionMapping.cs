using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Logs;

namespace Botvisor.Api.Contracts;

/// <summary>From a resolved <see cref="BotSpec"/> to what the API shows of it (no secret).</summary>
internal static class DefinitionMapping
{
    public static ResolvedDefinition ToDefinition(this BotSpec spec, TokenMasker masker) => new()
    {
        Id = spec.Id,
        Source = spec.Source,
        Command = ApiMapping.ShownCommand(spec, masker),
        Cwd = spec.WorkingDirectory,
        Token = spec.Token?.ToString(),
        EnvNames = spec.Env.Keys.Order(StringComparer.Ordinal).ToArray(),
        InheritEnv = spec.InheritEnv,
        Autostart = spec.Autostart,
        DependsOn = spec.DependsOn,
        Restart = spec.Restart.ToName(),
        Backoff = new BackoffDefinition(Duration(spec.Backoff.Initial), spec.Backoff.Multiplier, Duration(spec.Backoff.Max), spec.Backoff.Jitter),
        MaxRestarts = spec.MaxRestarts,
        MinUptime = Duration(spec.MinUptime),
        StopSignal = Signals.Name(spec.StopSignal),
        StopTimeout = Duration(spec.StopTimeout),
        Ready = spec.Ready == ReadyMode.Notify ? "notify" : "started",
        StartTimeout = Duration(spec.StartTimeout),
        Watchdog = spec.Watchdog is { } w ? Duration(w) : null,
        Health = spec.HttpProbe is { } p
            ? new HealthDefinition(Url(p.Url, masker), Duration(p.Interval), Duration(p.Timeout), p.Failures, Duration(p.InitialDelay))
            : null,
        MemoryMax = spec.MemoryMax,
        CpuMax = spec.CpuMax,
        User = spec.User,
        Group = spec.Group,
        Logs = new LogsDefinition(spec.LogMaxSize, spec.LogMaxFiles),
        Telegram = new TelegramDefinition(Url(spec.TelegramApiBaseUrl, masker), spec.TelegramValidate,
            spec.TelegramCheckInterval is { } c ? Duration(c) : null, spec.TelegramClearWebhook),
    };

    private static string Duration(TimeSpan value) => DurationParser.Format(value);

    /// <summary>A URL with any <c>user:password@</c> masked, and any token in it.</summary>
    private static string Url(string url, TokenMasker masker)
    {
        var shown = masker.MaskDefinition(url);
        return Uri.TryCreate(shown, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? shown.Replace(uri.UserInfo + "@", "****@", StringComparison.Ordinal)
            : shown;
    }
}
