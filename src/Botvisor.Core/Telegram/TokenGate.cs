using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Supervision;
using Botvisor.Core.Supervision.Gates;
using Botvisor.Core.Supervision.Machine;

namespace Botvisor.Core.Telegram;

/// <summary>
/// getMe before a worker with a token starts (and deleteWebhook with <c>clear_webhook</c>): a token
/// Telegram rejects refuses the start (Failed, no restart loop); Telegram or the network being down
/// is a wait with its own backoff (and Telegram's <c>retry_after</c>), which spends no restart budget.
/// </summary>
public sealed class TokenGate(ITelegramApi api, TimeProvider time, Func<double> random) : IStartGate
{
    public string Doing => "checking the token with getMe";

    public ValueTask<GateVerdict> AskAsync(BotSpec spec, int attempt, CancellationToken cancellationToken)
    {
        if (spec.Token is null || !spec.TelegramValidate) return ValueTask.FromResult<GateVerdict>(new GateVerdict.Open(null));
        return new ValueTask<GateVerdict>(CheckAsync(spec, attempt, cancellationToken));
    }

    private async Task<GateVerdict> CheckAsync(BotSpec spec, int attempt, CancellationToken cancellationToken)
    {
        TelegramResult<TelegramBotInfo> result;
        try
        {
            result = await TokenPreflight.RunAsync(api, spec, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result = TelegramResult<TelegramBotInfo>.Fail(new TelegramFailure(TelegramFailureKind.Unreachable, null, ex.GetType().Name));
        }
        if (result.Value is { } me)
        {
            var username = me.Username;
            return new GateVerdict.Open($"token accepted by Telegram (@{username})", s => s with { TelegramUsername = username });
        }
        var failure = result.Failure!;
        if (failure.Kind == TelegramFailureKind.Rejected)
        {
            return new GateVerdict.Refuse($"token rejected by Telegram ({failure}); not restarting: fix the token, then start the bot");
        }
        var delay = BackoffPolicy.Delay(spec.Backoff, attempt + 1, random());
        if (failure.RetryAfter is { } after && after > delay) delay = after;
        return new GateVerdict.Wait($"cannot check the token with the Bot API at {spec.TelegramApiBaseUrl}: {failure}; trying again in {DurationParser.Format(delay)}", delay);
    }

    public Task WhenChangedAsync(BotSpec spec, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
}
