using System.Net;
using System.Net.Http.Headers;
using Botvisor.Core.Sources.Remote;

namespace Botvisor.Sources;

/// <summary>
/// GETs a remote source's page over HTTP: conditional (If-None-Match / If-Modified-Since), with the
/// source's headers, within its timeout, reading at most the page limit. One pooled handler for every
/// source; redirects are not followed (the source's credentials must not go elsewhere). Errors become
/// <see cref="FeedException"/> with the URL masked; no header value ever appears in one.
/// </summary>
internal sealed class HttpFeedClient : IFeedClient, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<FeedResponse> GetAsync(FeedRequest request, CancellationToken cancellationToken)
    {
        var shown = UrlMasking.Mask(request.Url);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(request.Timeout);
        using var message = new HttpRequestMessage(HttpMethod.Get, request.Url);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        message.Headers.UserAgent.Add(new ProductInfoHeaderValue("Botvisor", typeof(HttpFeedClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        foreach (var (name, value) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value.Reveal())) throw new FeedException($"the header {name} cannot be sent");
        }
        if (request.ETag is { } etag) message.Headers.TryAddWithoutValidation("If-None-Match", etag);
        if (request.LastModified is { } modified) message.Headers.TryAddWithoutValidation("If-Modified-Since", modified);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            byte[] body = status == 200 ? await ReadBodyAsync(response, request.MaxBytes, shown, timeout.Token).ConfigureAwait(false) : [];
            return new FeedResponse(status, body, response.Headers.ETag?.ToString(),
                response.Content.Headers.LastModified?.ToString("R"), NextLink(response));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FeedException($"{shown} did not answer within {Core.Configuration.DurationParser.Format(request.Timeout)}");
        }
        catch (HttpRequestException ex)
        {
            throw new FeedException($"{shown} could not be reached: {Describe(ex)}");
        }
        catch (IOException)
        {
            // With the headers read, a connection dropped mid-body is an HttpIOException, not an HttpRequestException.
            throw new FeedException($"{shown}: the connection ended before the answer did");
        }
        catch (InvalidDataException)
        {
            throw new FeedException($"{shown}: the answer's compressed body is damaged");
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, long maxBytes, string shown, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > maxBytes) throw new FeedException($"{shown} answered more than {maxBytes / (1024 * 1024)} MiB");
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw new FeedException($"{shown} answered more than {maxBytes / (1024 * 1024)} MiB");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>The target of <c>Link: &lt;url&gt;; rel="next"</c>.</summary>
    internal static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values)) return null;
        foreach (var link in values.SelectMany(v => v.Split(',')))
        {
            var parts = link.Split(';');
            if (parts.Length < 2) continue;
            var target = parts[0].Trim();
            if (!target.StartsWith('<') || !target.EndsWith('>')) continue;
            foreach (var param in parts.Skip(1))
            {
                var p = param.Trim();
                if (!p.StartsWith("rel=", StringComparison.OrdinalIgnoreCase)) continue;
                var rel = p[4..].Trim('"');
                if (rel.Split(' ').Contains("next", StringComparer.OrdinalIgnoreCase)) return target[1..^1];
            }
        }
        return null;
    }

    private static string Describe(HttpRequestException ex) =>
        ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "the host name does not resolve",
            HttpRequestError.ConnectionError => "the connection failed (refused or unreachable)",
            HttpRequestError.SecureConnectionError => "the TLS handshake failed",
            HttpRequestError.ResponseEnded => "the connection ended before the answer did",
            HttpRequestError.InvalidResponse => "the answer is not valid HTTP",
            _ => ex.InnerException?.Message ?? ex.Message,
        };

    public void Dispose() => _http.Dispose();
}
