using Botvisor.Core.Health;

namespace Botvisor.Testing;

/// <summary>An HTTP probe for in-process tests (the daemon's own lives in the executable).</summary>
public sealed class PlainHttpProbe : IHttpProbe
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    public async Task<ProbeResult> ProbeAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await Http.GetAsync(url, cts.Token);
            int code = (int)response.StatusCode;
            return new ProbeResult(code is >= 200 and < 400, $"HTTP {code}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return new ProbeResult(false, ex.Message);
        }
    }
}
