using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli;

/// <summary>The CLI's client of the daemon's HTTP API, over TCP or the local Unix socket.</summary>
internal sealed class ApiClient : IDisposable
{
    private readonly Lazy<HttpClient> _http;

    public ApiClient(DaemonEndpoint endpoint)
    {
        Endpoint = endpoint;
        _http = new Lazy<HttpClient>(() => CreateHttpClient(endpoint));
    }

    private static HttpClient CreateHttpClient(DaemonEndpoint endpoint)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
        if (endpoint.SocketPath is { } path)
        {
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        var http = new HttpClient(handler) { BaseAddress = endpoint.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (endpoint.Token is { Length: > 0 } token) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public DaemonEndpoint Endpoint { get; }

    /// <summary>
    /// GETs a document as the daemon sent it (UTF-8, never decoded to a string): JSON, or with
    /// <paramref name="accept"/> <c>text/plain</c> the daemon's table.
    /// </summary>
    public async Task<ArraySegment<byte>> GetRawAsync(string path, CancellationToken ct, string accept = "application/json")
    {
        if (Endpoint.SocketPath is { } socketPath)
        {
            int status;
            ArraySegment<byte> body;
            try
            {
                (status, body) = UnixSocketGet.Send(socketPath, path, Endpoint.Token, accept);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                throw new DaemonUnreachableException(Endpoint, ex.Message);
            }
            if (status is >= 200 and < 300) return body;
            throw Problem((System.Net.HttpStatusCode)status, System.Text.Encoding.UTF8.GetString(body));
        }
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        using var response = await SendAsync(request, ct);
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    /// <summary>GETs and deserializes a JSON document.</summary>
    public async Task<T> GetJsonAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken ct) =>
        JsonSerializer.Deserialize((await GetRawAsync(path, ct)).AsSpan(), type)!;

    public async Task<(T? Value, string Json)> SendAsync<T>(HttpMethod method, string path, JsonTypeInfo<T> type, string? body, string? contentType, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, contentType ?? "application/json");
        using var response = await SendAsync(request, ct);
        var json = await response.Content.ReadAsStringAsync(ct);
        return (json.Length == 0 ? default : JsonSerializer.Deserialize(json, type), json);
    }

    /// <summary>Opens a streaming response (logs -f, events -f).</summary>
    public async Task<HttpResponseMessage> StreamAsync(string path, CancellationToken ct) =>
        await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct, HttpCompletionOption.ResponseHeadersRead);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.Value.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new DaemonUnreachableException(Endpoint, ex.Message);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            throw Problem(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }
    }

    private static ApiProblemException Problem(HttpStatusCode status, string body)
    {
        ProblemInfo? problem = null;
        try
        {
            problem = body.Length > 0 ? JsonSerializer.Deserialize(body, ApiJsonContext.Default.ProblemInfo) : null;
        }
        catch (JsonException)
        {
        }
        return new ApiProblemException(status, problem, body);
    }

    public void Dispose()
    {
        if (_http.IsValueCreated) _http.Value.Dispose();
    }
}

internal sealed class DaemonUnreachableException(DaemonEndpoint endpoint, string reason)
    : Exception($"cannot reach the daemon at {endpoint.Describe()}: {reason}");

internal sealed class ApiProblemException(HttpStatusCode status, ProblemInfo? problem, string body)
    : Exception(problem?.Detail ?? problem?.Title ?? (body.Length > 0 ? body : status.ToString()))
{
    public HttpStatusCode Status { get; } = status;
    public ProblemInfo? Problem { get; } = problem;
    public string Body { get; } = body;
}
