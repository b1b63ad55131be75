using System.Net;
using System.Net.Http.Headers;
using Botvisor.Core.Alerts;
using Botvisor.Core.Fleet;

namespace Botvisor.Alerts;

/// <summary>
/// POSTs each notification as JSON (<see cref="WebhookPayload"/>) to one receiver. A network error, a
/// timeout, a 408, a 429 or a 5xx is retried with backoff (1 s doubling, six attempts in all; a 429's
/// <c>Retry-After</c> is honoured, up to a minute); any other answer is final. The URL's path and the
/// headers' values are never shown: they often carry the receiver's secret.
/// </summary>
public sealed class WebhookAlertChannel : IAlertChannel, IDisposable
{
    public const int MaxAttempts = 6;
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(1);

    private readonly WebhookConfig _config;
    private readonly TimeProvider _time;
    private readonly string _host = Environment.MachineName;
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = AttemptTimeout,
    };

    public WebhookAlertChannel(WebhookConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
    }

    public string Name => "webhook " + _config.Display;

    public async Task<string?> DeliverAsync(AlertBatch batch, CancellationToken cancellationToken)
    {
        var body = WebhookPayload.Write(batch, _host);
        var delay = TimeSpan.FromSeconds(1);
        string failure = "";
        for (int attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _config.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.UserAgent.ParseAdd("botvisor-alerts/1");
                foreach (var (name, value) in _config.Headers) request.Headers.TryAddWithoutValidation(name, value);
                using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode) return null;
                failure = $"HTTP {status}";
                if (!(status >= 500 || status == (int)HttpStatusCode.RequestTimeout || status == (int)HttpStatusCode.TooManyRequests))
                {
                    return $"{failure} (not retried)";
                }
                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (HttpRequestException ex)
            {
                failure = ex.HttpRequestError.ToString() is var kind && kind != "Unknown" ? $"{kind}: {ex.Message.Replace(_config.Url, _config.Display, StringComparison.Ordinal)}" : "the request failed";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"no answer within {AttemptTimeout.TotalSeconds:0}s";
            }
            if (attempt == MaxAttempts) break;
            var wait = retryAfter is { } r && r > TimeSpan.Zero ? (r < MaxRetryAfter ? r : MaxRetryAfter) : delay;
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(delay.Ticks * 2);
        }
        return $"{failure} after {MaxAttempts} attempts";
    }

    public void Dispose() => _http.Dispose();
}
