using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Botvisor.Core.Cluster;
using Botvisor.Core.Fleet;
using Botvisor.Core.Gateway;
using Botvisor.Gateway;
using Botvisor.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Botvisor.IntegrationTests.Gateway;

/// <summary>
/// The gateway in-process against upstreams that misbehave (<see cref="FakeUpstream"/>, real sockets): a redirect
/// or an echoed token never leads a worker to the real token, a lease that goes stops held and in-flight calls,
/// a black-holed Telegram is a Telegram-shaped 504, held calls are let go paced, and only the Bot API's verbs pass.
/// </summary>
public sealed class GatewayUpstreamTests : IAsyncDisposable
{
    private const string Real = "7000000999:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
    private const string Secret = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";

    /// <summary>A lease this node holds until the test drops it, as <see cref="LocalLeases"/> and its fence watch do.</summary>
    private sealed class DroppableFence : ILeaseFence
    {
        private readonly CancellationTokenSource _tenure = new();
        private volatile bool _holds = true;

        public long? HeldEpoch(string botId) => _holds ? 7 : null;

        public CancellationToken Tenure(string botId) => _holds ? _tenure.Token : new CancellationToken(true);

        /// <summary>The renew deadline passed on the monotonic clock (a thawed node), before the fence watch's round.</summary>
        public void DeadlinePassed() => _holds = false;

        /// <summary>The fence watch's round: what acts under the lease stops.</summary>
        public void Drop()
        {
            _holds = false;
            _tenure.Cancel();
        }
    }

    private readonly DroppableFence _fence = new();
    private readonly ListLoggerProvider _logs = new();
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private readonly GatewayRegistry _registry = new(TimeProvider.System);
    private GatewayHost? _host;
    private FakeUpstream? _upstream;

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync(CancellationToken.None);
            _host.Dispose();
        }
        if (_upstream is not null) await _upstream.DisposeAsync();
        _logs.Dispose();
        await _services.DisposeAsync();
    }

    /// <summary>The gateway in front of <paramref name="handler"/>; returns the bot's run and a client of the gateway (redirects not followed).</summary>
    private async Task<(GatewayRun Run, HttpClient Gateway)> StartAsync(Func<HttpContext, Task> handler, HttpMessageInvoker? client = null, TimeSpan? pollMargin = null)
    {
        _upstream = await FakeUpstream.StartAsync(handler);
        return await GatewayAsync(_upstream.BaseUrl, client, pollMargin);
    }

    private async Task<(GatewayRun Run, HttpClient Gateway)> GatewayAsync(string upstream, HttpMessageInvoker? client = null, TimeSpan? pollMargin = null)
    {
        var forwarder = new GatewayForwarder(_registry, _fence, client ?? GatewayForwarder.CreateClient(), _logs.CreateLogger("gateway"), (_, _) => { })
        {
            PollMargin = pollMargin ?? TimeSpan.FromSeconds(15),
        };
        _host = new GatewayHost(_registry, forwarder, _services, NullLoggerFactory.Instance);
        await _host.StartAsync(CancellationToken.None);
        var run = _registry.Issue(new BotSpec { Id = "echo", Command = ["x"], WorkingDirectory = "/", Token = new BotToken(Real), Gateway = true, TelegramApiBaseUrl = upstream });
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_registry.BaseUrl!), Timeout = TestTimeouts.Event };
        return (run, http);
    }

    private static Task OkAsync(HttpContext context, string json = """{"ok":true,"result":true}""")
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    private static string Everything(HttpResponseMessage answer, string body) =>
        string.Join('\n', answer.Headers.Concat(answer.Content.Headers).SelectMany(h => h.Value.Select(v => $"{h.Key}: {v}"))) + "\n" + body;

    [Fact]
    public async Task Redirect_IsNeverPassedOn_AndTheRealTokenIsInNoHeaderNorBody_PlainOrPercentEncoded()
    {
        var encoded = Real.Replace(":", "%3A", StringComparison.Ordinal);
        var (run, gateway) = await StartAsync(context =>
        {
            var target = context.Request.Path.Value!;
            if (target.EndsWith("/getMe", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 301;
                context.Response.Headers.Location = $"https://api.example.org/bot{Real}/getMe";
                context.Response.Headers.Link = $"<https://api.example.org/bot{encoded}/getMe>; rel=canonical";
                return Task.CompletedTask;
            }
            context.Response.Headers.ContentLocation = $"/bot{encoded}/getFile";
            context.Response.Headers["X-Served-For"] = Real;
            context.Response.Headers.Link = $"<https://proxy/bot{Real.Replace(":", "%3a", StringComparison.Ordinal)}/x>";
            context.Response.StatusCode = target.EndsWith("/getFile", StringComparison.Ordinal) ? 200 : 400;
            return OkAsync(context, $$$"""{"ok":true,"result":{"file_path":"/var/lib/telegram-bot-api/{{{encoded}}}/documents/file_0.pdf"}}""");
        });
        using var _ = gateway;

        using var redirected = await gateway.GetAsync($"/bot{run.Placeholder}/getMe");
        var body = await redirected.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadGateway, redirected.StatusCode);
        Assert.Equal("""{"ok":false,"error_code":502,"description":"Bad Gateway: the Bot API server answered with a redirect, which the gateway does not follow or pass on"}""", body);
        Assert.Null(redirected.Headers.Location);
        Assert.DoesNotContain(Secret, Everything(redirected, body));

        foreach (var method in new[] { "getFile", "sendMessage" })
        {
            using var answer = await gateway.GetAsync($"/bot{run.Placeholder}/{method}");
            var text = await answer.Content.ReadAsStringAsync();
            var all = Everything(answer, text);
            Assert.DoesNotContain(Secret, all);
            Assert.Contains(run.Placeholder.Replace(":", "%3A", StringComparison.Ordinal), all);
            Assert.Contains($"X-Served-For: {run.Placeholder}", all);
        }
        Assert.Contains(_logs.Messages, m => m.Id.Id == 603 && m.Message.Contains("redirect", StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, string.Join('\n', _logs.Messages.Select(m => m.Message)));
    }

    /// <summary>Telegram answers the first sendMessage with 429 (retry after <paramref name="retryAfter"/>), every later one with 200.</summary>
    private Task<(GatewayRun Run, HttpClient Gateway)> FloodedAsync(int retryAfter)
    {
        int calls = 0;
        return StartAsync(context =>
        {
            if (Interlocked.Increment(ref calls) > 1) return OkAsync(context);
            context.Response.StatusCode = 429;
            return OkAsync(context, $$$"""{"ok":false,"error_code":429,"description":"Too Many Requests: retry after {{{retryAfter}}}","parameters":{"retry_after":{{{retryAfter}}}}}""");
        });
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        while (!condition()) await Task.Delay(10, cts.Token);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Fence_HeldCallsNeverReachTelegram_OnceTheLeaseGoes(bool fenceWatchRan)
    {
        var (run, gateway) = await FloodedAsync(retryAfter: 2);
        using var _ = gateway;
        using (var first = await gateway.PostAsJsonAsync($"/bot{run.Placeholder}/sendMessage", new JsonObject { ["chat_id"] = 1, ["text"] = "0" }))
        {
            Assert.Equal((HttpStatusCode)429, first.StatusCode);
        }
        var held = Enumerable.Range(1, 20).Select(i => gateway.PostAsJsonAsync($"/bot{run.Placeholder}/sendMessage", new JsonObject { ["chat_id"] = 1, ["text"] = $"{i}" })).ToList();
        await WaitForAsync(() => run.Line.Flood.Waiting == 20);

        if (fenceWatchRan) _fence.Drop();
        else _fence.DeadlinePassed(); // a frozen node thaws: the held calls' timers fire before the fence watch's round

        foreach (var answer in await Task.WhenAll(held))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            answer.Dispose();
        }
        Assert.Single(_upstream!.Of("sendMessage"));
    }

    [Fact]
    public async Task Fence_ALongPollInFlight_IsCancelledUpstream_WhenTheLeaseGoes()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (run, gateway) = await StartAsync(context => FakeUpstream.HangAsync(context, aborted));
        using var _ = gateway;
        var poll = gateway.GetAsync($"/bot{run.Placeholder}/getUpdates?timeout=50");
        await WaitForAsync(() => _upstream!.Of("getUpdates").Count == 1);
        _fence.Drop();
        await aborted.Task.WaitAsync(TestTimeouts.Event); // Telegram sees the poll end, long before its 50 s
        using var answer = await poll;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.False(run.Line.Poll.InFlight);
    }

    [Fact]
    public async Task Fence_A409WhileTheLeaseIsGoing_IsNotReportedAsAPollerOutsideBotvisor()
    {
        // After a freeze, the node that took the lease polls: Telegram ends this node's poll with 409.
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (run, gateway) = await StartAsync(async context =>
        {
            await taken.Task;
            context.Response.StatusCode = 409;
            await OkAsync(context, """{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}""");
        });
        using var _ = gateway;
        var poll = gateway.GetAsync($"/bot{run.Placeholder}/getUpdates?timeout=50");
        await WaitForAsync(() => _upstream!.Of("getUpdates").Count == 1);
        _fence.DeadlinePassed();
        taken.SetResult();
        using var answer = await poll;
        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
        Assert.DoesNotContain(_logs.Messages, m => m.Id.Id == 601);
    }

    [Fact]
    public async Task Poll_WithABodyNoGetUpdatesHas_IsRefusedWith413_AndNothingReachesTelegram()
    {
        var (run, gateway) = await StartAsync(context => OkAsync(context));
        using var _ = gateway;
        using var huge = new StringContent($$"""{"timeout":1,"pad":"{{new string('x', 70_000)}}"}""", Encoding.UTF8, "application/json");
        using var answer = await gateway.PostAsync($"/bot{run.Placeholder}/getUpdates", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.StatusCode);
        Assert.Empty(_upstream!.Requests);
    }

    [Fact]
    public async Task ConnectTimeout_IsA504InTelegramsShape_LoggedAndCounted_NeverAnEmpty500()
    {
        // A listener whose accept queue is full and that never accepts: the kernel drops further SYNs, so a
        // connect neither succeeds nor fails (a firewall that DROPs, a partition).
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<Socket>();
        bool blackHoled = false;
        try
        {
            for (int i = 0; i < 16 && !blackHoled; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(socket);
                using var attempt = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                try
                {
                    await socket.ConnectAsync(endpoint, attempt.Token);
                }
                catch (OperationCanceledException)
                {
                    blackHoled = true;
                }
            }
            Assert.True(blackHoled, "the listener's backlog never filled");

            var client = new HttpMessageInvoker(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1), AllowAutoRedirect = false, UseCookies = false });
            var (run, gateway) = await GatewayAsync($"http://127.0.0.1:{endpoint.Port}", client);
            using var _ = gateway;
            using var answer = await gateway.GetAsync($"/bot{run.Placeholder}/getMe");
            Assert.Equal(HttpStatusCode.GatewayTimeout, answer.StatusCode);
            Assert.Equal("""{"ok":false,"error_code":504,"description":"Gateway Timeout"}""", await answer.Content.ReadAsStringAsync());
            Assert.Contains(_logs.Messages, m => m.Id.Id == 603 && m.Message.Contains("Bot echo: getMe could not be forwarded", StringComparison.Ordinal));
            Assert.DoesNotContain(_logs.Messages, m => m.Message.Contains("unhandled", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(Secret, string.Join('\n', _logs.Messages.Select(m => m.Message)));
            var getMe = Assert.Single(run.Bot.Stats.Methods());
            Assert.Equal((1, 1), (getMe.Calls, getMe.Errors));
        }
        finally
        {
            foreach (var socket in fillers) socket.Dispose();
        }
    }

    [Fact]
    public async Task Flood_HeldCalls_AreLetGoPaced_InsteadOfAllAtOnce()
    {
        const int retryAfter = 3, held = 30;
        var (run, gateway) = await FloodedAsync(retryAfter);
        using var _ = gateway;
        long before = Stopwatch.GetTimestamp();
        using (var first = await gateway.PostAsJsonAsync($"/bot{run.Placeholder}/sendMessage", new JsonObject { ["chat_id"] = 1, ["text"] = "0" }))
        {
            Assert.Equal((HttpStatusCode)429, first.StatusCode);
        }
        var calls = Enumerable.Range(1, held).Select(i => gateway.PostAsJsonAsync($"/bot{run.Placeholder}/sendMessage", new JsonObject { ["chat_id"] = 1, ["text"] = $"{i}" })).ToList();
        await WaitForAsync(() => run.Line.Flood.Waiting == held);
        foreach (var answer in await Task.WhenAll(calls))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            answer.Dispose();
        }
        var arrivals = _upstream!.Of("sendMessage").Skip(1).Select(r => r.At).Order().ToList();
        Assert.Equal(held, arrivals.Count);
        // The last call's turn came no sooner than the hold's end and one pace per call before it: a lower
        // bound, which a busy machine only makes later. Let go all at once, they would all come at ~3 s.
        var lastAfter = Stopwatch.GetElapsedTime(before, arrivals[^1]);
        Assert.True(lastAfter >= TimeSpan.FromSeconds(retryAfter) + (held - 1) * FloodHold.Pace, $"the last held call reached Telegram {lastAfter} after the 429");
        Assert.True(Stopwatch.GetElapsedTime(before, arrivals[0]) >= TimeSpan.FromSeconds(retryAfter));
    }

    [Fact]
    public async Task Superseded_APollWhoseAnswerWasAlreadyStreaming_EndsInAFailure_NotAShortAnswer()
    {
        int polls = 0;
        var (run, gateway) = await StartAsync(async context =>
        {
            if (Interlocked.Increment(ref polls) > 1)
            {
                await OkAsync(context, """{"ok":true,"result":[]}""");
                return;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"ok\":true,\"result\":[{\"update_id\":1,\"message\":{\"text\":\"" + new string('x', 4096));
            await context.Response.Body.FlushAsync();
            await FakeUpstream.HangAsync(context);
        });
        using var _ = gateway;
        using var first = await gateway.GetAsync($"/bot{run.Placeholder}/getUpdates?timeout=50", HttpCompletionOption.ResponseHeadersRead);
        var stream = await first.Content.ReadAsStreamAsync();
        Assert.True(await stream.ReadAsync(new byte[64]) > 0); // the answer is streaming

        using var second = await gateway.GetAsync($"/bot{run.Placeholder}/getUpdates?timeout=0");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var rest = new StreamReader(stream);
            await rest.ReadToEndAsync(); // a truncated answer that ended cleanly would be taken as Telegram's
        });
    }

    [Fact]
    public async Task Verbs_OnlyGetAndPost_ReachTheBotApi_AndGetAndHead_AFile()
    {
        var (run, gateway) = await StartAsync(context => OkAsync(context));
        using var _ = gateway;
        foreach (var verb in new[] { "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD", "PROPFIND" })
        {
            using var answer = await gateway.SendAsync(new HttpRequestMessage(new HttpMethod(verb), $"/bot{run.Placeholder}/getMe"));
            Assert.Equal(HttpStatusCode.MethodNotAllowed, answer.StatusCode);
            Assert.Equal("GET, POST", string.Join(", ", answer.Content.Headers.Allow));
        }
        using (var post = await gateway.PostAsync($"/file/bot{run.Placeholder}/documents/file_0.pdf", new StringContent("x")))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        }
        Assert.Empty(_upstream!.Requests);

        using var head = await gateway.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/file/bot{run.Placeholder}/documents/file_0.pdf"));
        using var get = await gateway.GetAsync($"/bot{run.Placeholder}/getMe");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (head.StatusCode, get.StatusCode));
        Assert.Equal(["HEAD", "GET"], _upstream.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task EncodedRequestBody_GoesOnWithItsContentEncoding()
    {
        var (run, gateway) = await StartAsync(context => OkAsync(context));
        using var _ = gateway;
        using var gzipped = new MemoryStream();
        await using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync("""{"chat_id":1,"text":"compressed"}"""u8.ToArray());
        }
        var content = new ByteArrayContent(gzipped.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        using var answer = await gateway.PostAsync($"/bot{run.Placeholder}/sendMessage", content);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var seen = Assert.Single(_upstream!.Requests);
        Assert.Equal("gzip", seen.ContentEncoding);
        Assert.Equal(gzipped.ToArray(), seen.Body);
    }

    [Fact]
    public async Task LocalServer_AbsoluteFilePath_ShowsThePlaceholder_AndItsDownloadReachesTheBotsOwnDirectoryUpstream()
    {
        // A local telegram-bot-api in --local mode names the bot's directory by its token; the file itself is
        // served by a web server in front of it (as aiogram/telegram-bot-api's nginx does), here the fake.
        const string directory = $"/var/lib/telegram-bot-api/{Real}/documents/file_0.pdf";
        var bytes = "%PDF-1.4 local"u8.ToArray();
        var (run, gateway) = await StartAsync(context =>
        {
            var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
            if (target.EndsWith("/getFile", StringComparison.Ordinal)) return OkAsync(context, $$$"""{"ok":true,"result":{"file_id":"f","file_path":"{{{directory}}}"}}""");
            if (target == $"/file/bot{Real}/{directory}") return context.Response.Body.WriteAsync(bytes).AsTask();
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        using var _ = gateway;
        var file = await gateway.GetFromJsonAsync<JsonObject>($"/bot{run.Placeholder}/getFile");
        var path = file!["result"]!["file_path"]!.GetValue<string>();
        Assert.Equal(directory.Replace(Real, run.Placeholder, StringComparison.Ordinal), path);
        Assert.Equal(bytes, await gateway.GetByteArrayAsync($"/file/bot{run.Placeholder}/{path}")); // as clients join them: one more slash
        Assert.Equal($"/file/bot{Real}/{directory}", _upstream!.Requests.Last().Target); // dot segments never get here (BotApiPath)
    }

    public static TheoryData<string, string?> PollForms => new()
    {
        { "?timeout=1", null },
        { "", """{"offset":5,"timeout":1}""" },
        { "", "offset=5&timeout=1" },
    };

    [Theory]
    [MemberData(nameof(PollForms))]
    public async Task Poll_ThatTelegramNeverAnswers_IsGivenUpAfterItsOwnTimeoutAndAMargin(string query, string? body)
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (run, gateway) = await StartAsync(context => FakeUpstream.HangAsync(context, aborted), pollMargin: TimeSpan.FromSeconds(1));
        using var _ = gateway;
        using HttpContent? content = body is null ? null
            : new StringContent(body, Encoding.UTF8, body.StartsWith('{') ? "application/json" : "application/x-www-form-urlencoded");
        using var answer = content is null ? await gateway.GetAsync($"/bot{run.Placeholder}/getUpdates{query}") : await gateway.PostAsync($"/bot{run.Placeholder}/getUpdates", content);
        Assert.Equal(HttpStatusCode.GatewayTimeout, answer.StatusCode);
        Assert.Equal("""{"ok":false,"error_code":504,"description":"Gateway Timeout"}""", await answer.Content.ReadAsStringAsync());
        await aborted.Task.WaitAsync(TestTimeouts.Event);
        Assert.False(run.Line.Poll.InFlight);
        if (body is not null) Assert.Equal(body, Encoding.UTF8.GetString(Assert.Single(_upstream!.Requests).Body)); // the body went on whole
    }
}
