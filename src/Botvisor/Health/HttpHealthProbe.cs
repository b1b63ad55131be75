using Botvisor.Core.Health;

namespace Botvisor.Health;

/// <summary>HTTP liveness probes as Kubernetes runs them: GET, any 2xx or 3xx is a success (redirects are not followed).</summary>
public sealed class HttpHealthProbe : IHttpProbe, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    public async Task<ProbeResult> ProbeAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            int code = (int)response.StatusCode;
            return code is >= 200 and < 400
                ? new ProbeResult(true, $"HTTP {code}")
                : new ProbeResult(false, $"HTTP {code} from {url}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(false, $"no answer from {url} within {timeout.TotalMilliseconds:0}ms");
        }
        catch (HttpRequestException ex)
        {
            return new ProbeResult(false, $"{url}: {ex.Message}");
        }
    }

    public void Dispose() => _http.Dispose();
}
