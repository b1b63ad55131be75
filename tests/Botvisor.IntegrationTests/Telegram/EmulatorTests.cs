using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.Telegram;

/// <summary>The Bot API emulator over HTTP: the semantics and texts of the real server.</summary>
public class EmulatorTests : IAsyncLifetime
{
    private EmulatorHost _emu = null!;
    private string _token = "";

    public async ValueTask InitializeAsync()
    {
        _emu = await EmulatorHost.StartAsync();
        _token = await _emu.RegisterAsync("testbot");
    }

    public ValueTask DisposeAsync() => _emu.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonObject Body)> CallAsync(string method, string query = "", HttpContent? content = null, string? token = null)
    {
        var response = content is null
            ? await _emu.Http.GetAsync($"/bot{token ?? _token}/{method}{query}")
            : await _emu.Http.PostAsync($"/bot{token ?? _token}/{method}{query}", content);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    [Fact]
    public async Task GetMe_AnswersWithTheBot()
    {
        var (status, body) = await CallAsync("getMe");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body["ok"]!.GetValue<bool>());
        Assert.Equal("testbot", body["result"]!["username"]!.GetValue<string>());
        Assert.True(body["result"]!["is_bot"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Tokens_MalformedIs404_UnknownIs401_UnknownMethodIs404()
    {
        var (s1, b1) = await CallAsync("getMe", token: "12345:short");
        Assert.Equal((HttpStatusCode.NotFound, "Not Found"), (s1, b1["description"]!.GetValue<string>()));
        var (s2, b2) = await CallAsync("getMe", token: "999:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal((HttpStatusCode.Unauthorized, "Unauthorized"), (s2, b2["description"]!.GetValue<string>()));
        Assert.Equal(401, b2["error_code"]!.GetValue<int>());
        Assert.False(b2["ok"]!.GetValue<bool>());
        var (s3, _) = await CallAsync("getMeNot");
        Assert.Equal(HttpStatusCode.NotFound, s3);
    }

    [Fact]
    public async Task GetUpdates_KeepsUpdatesUntilAnOffsetConfirmsThem()
    {
        var first = await _emu.InjectAsync(_token, "one");
        var second = await _emu.InjectAsync(_token, "two");

        var (_, all) = await CallAsync("getUpdates");
        Assert.Equal([first, second], all["result"]!.AsArray().Select(u => u!["update_id"]!.GetValue<long>()));
        var (_, again) = await CallAsync("getUpdates");
        Assert.Equal(2, again["result"]!.AsArray().Count);
        var (_, limited) = await CallAsync("getUpdates", "?limit=1");
        Assert.Single(limited["result"]!.AsArray());

        var (_, confirmed) = await CallAsync("getUpdates", $"?offset={second}");
        Assert.Equal("two", confirmed["result"]!.AsArray().Single()!["message"]!["text"]!.GetValue<string>());
        var (_, empty) = await CallAsync("getUpdates", $"?offset={second + 1}");
        Assert.Empty(empty["result"]!.AsArray());
    }

    [Fact]
    public async Task GetUpdates_AcceptsJsonFormAndMultipartParameters()
    {
        await _emu.InjectAsync(_token, "one");
        var json = await CallAsync("getUpdates", content: new StringContent("""{"offset":0,"limit":1,"allowed_updates":["message"]}""", Encoding.UTF8, "application/json"));
        Assert.Single(json.Body["result"]!.AsArray());
        var form = await CallAsync("getUpdates", content: new FormUrlEncodedContent([new("limit", "1")]));
        Assert.Single(form.Body["result"]!.AsArray());
        using var multipart = new MultipartFormDataContent { { new StringContent("1"), "limit" } };
        var multi = await CallAsync("getUpdates", content: multipart);
        Assert.Single(multi.Body["result"]!.AsArray());
        var none = await CallAsync("getUpdates", content: new StringContent("""{"allowed_updates":["callback_query"]}""", Encoding.UTF8, "application/json"));
        Assert.Empty(none.Body["result"]!.AsArray());
    }

    [Fact]
    public async Task LongPoll_ReturnsAtOnceWhenAMessageArrives_OrEmptyAfterTheTimeout()
    {
        var poll = CallAsync("getUpdates", "?timeout=20");
        await Task.Delay(200);
        Assert.False(poll.IsCompleted);
        await _emu.InjectAsync(_token, "wake up");
        var (_, body) = await poll;
        Assert.Equal("wake up", body["result"]!.AsArray().Single()!["message"]!["text"]!.GetValue<string>());

        var (status, timedOut) = await CallAsync("getUpdates", $"?timeout=1&offset={body["result"]![0]!["update_id"]!.GetValue<long>() + 1}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(timedOut["result"]!.AsArray());
    }

    [Fact]
    public async Task SecondPoller_TheOlderPollGets409_AndItIsCounted()
    {
        var older = CallAsync("getUpdates", "?timeout=20");
        await Task.Delay(300);
        var newer = CallAsync("getUpdates", "?timeout=1");

        var (status, body) = await older;
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", body["description"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await newer).Status);
        Assert.Equal(1, (await _emu.StatsAsync(_token))["conflicts"]!.GetValue<int>());
    }

    [Fact]
    public async Task PollOfAClientThatWentAway_IsDropped_NotAConflict()
    {
        using (var cts = new CancellationTokenSource())
        {
            var abandoned = _emu.Http.GetAsync($"/bot{_token}/getUpdates?timeout=20", cts.Token);
            await Task.Delay(300);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }
        await Task.Delay(200);
        var (status, _) = await CallAsync("getUpdates", "?timeout=1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, (await _emu.StatsAsync(_token))["conflicts"]!.GetValue<int>());
    }

    [Fact]
    public async Task Webhook_BlocksGetUpdatesWith409_UntilDeleted()
    {
        var (_, set) = await CallAsync("setWebhook", "?url=https://example.org/hook");
        Assert.True(set["result"]!.GetValue<bool>());
        var (_, info) = await CallAsync("getWebhookInfo");
        Assert.Equal("https://example.org/hook", info["result"]!["url"]!.GetValue<string>());

        var (status, body) = await CallAsync("getUpdates");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", body["description"]!.GetValue<string>());

        await _emu.InjectAsync(_token, "pending");
        var (_, deleted) = await CallAsync("deleteWebhook", "?drop_pending_updates=true");
        Assert.True(deleted["result"]!.GetValue<bool>());
        var (okStatus, updates) = await CallAsync("getUpdates");
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Empty(updates["result"]!.AsArray());
    }

    [Fact]
    public async Task SendMessage_IsRecorded_AndBadInputIs400()
    {
        var (_, sent) = await CallAsync("sendMessage", content: new StringContent("""{"chat_id":77,"text":"hello"}""", Encoding.UTF8, "application/json"));
        Assert.Equal("hello", sent["result"]!["text"]!.GetValue<string>());
        Assert.Equal(77, sent["result"]!["chat"]!["id"]!.GetValue<long>());
        Assert.Equal("hello", (await _emu.SentAsync(_token)).Single()!["text"]!.GetValue<string>());

        var (status, body) = await CallAsync("sendMessage", "?chat_id=77");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Bad Request: message text is empty", body["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Revoke_Makes401_Flood_Makes429WithRetryAfter()
    {
        await _emu.Http.PostAsJsonAsync($"/_emulator/bots/{_token}/flood", new JsonObject { ["retry_after"] = 7 });
        var (status, body) = await CallAsync("getMe");
        Assert.Equal((HttpStatusCode)429, status);
        Assert.Equal(7, body["parameters"]!["retry_after"]!.GetValue<int>());
        Assert.StartsWith("Too Many Requests: retry after ", body["description"]!.GetValue<string>());

        var other = await _emu.RegisterAsync("other");
        await _emu.RevokeAsync(other);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync("getMe", token: other)).Status);
    }

    [Fact]
    public async Task ParameterlessPostWithoutBody_Works()
    {
        var response = await _emu.Http.PostAsync($"/bot{_token}/getMe", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
