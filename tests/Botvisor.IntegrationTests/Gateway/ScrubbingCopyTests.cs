using System.Text;
using Botvisor.Gateway;

namespace Botvisor.IntegrationTests.Gateway;

/// <summary>Answers reach the worker with the real token replaced, however the reads split it.</summary>
public class ScrubbingCopyTests
{
    private const string Real = "7000000123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
    private const string Placeholder = "7000000123:ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ";

    /// <summary>A stream that hands out at most <c>chunk</c> bytes per read.</summary>
    private sealed class Trickle(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(100_000)]
    public async Task Copy_ReplacesTheRealToken_AndCountsUpdates_WhateverTheReadSize(int chunk)
    {
        var encoded = Real.Replace(":", "%3A", StringComparison.Ordinal);
        var text = $"{{\"ok\":true,\"result\":[{{\"update_id\":1,\"message\":{{\"text\":\"\\\"update_id\\\": no\"}}}},{{\"update_id\":2,\"document\":{{\"file_path\":\"/var/lib/telegram-bot-api/{Real}/documents/file_0.pdf\"}}}}],\"x\":\"{Real}{Real}\",\"url\":\"https://proxy/bot{encoded}/x?from={Real.Replace(":", "%3a", StringComparison.Ordinal)}\"}}";
        using var output = new MemoryStream();
        int updates = await ScrubbingCopy.CopyAsync(new Trickle(Encoding.UTF8.GetBytes(text), chunk), output, new TokenScrub(Real, Placeholder), countUpdates: true, CancellationToken.None);
        var expected = text.Replace(Real, Placeholder, StringComparison.Ordinal).Replace(encoded, Placeholder.Replace(":", "%3A", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace(Real.Replace(":", "%3a", StringComparison.Ordinal), Placeholder.Replace(":", "%3a", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.UTF8.GetString(output.ToArray()));
        Assert.DoesNotContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq", Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(2, updates);
    }

    [Fact]
    public void Scrub_ReplacesThePercentEncodedColonForms_InHeaderValuesToo()
    {
        var scrub = new TokenScrub(Real, Placeholder);
        Assert.Equal("<https://x/bot7000000123%3aZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ/getMe>; rel=next, bot7000000123%3AZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",
            scrub.Apply("<https://x/bot7000000123%3aAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq/getMe>; rel=next, bot7000000123%3AAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"));
    }

    [Theory]
    [InlineData("/bot1:A/getMe", false, "1:A", "getMe", "")]
    [InlineData("/bot1%3AA/sendMessage?chat_id=1", false, "1:A", "sendMessage", "?chat_id=1")]
    [InlineData("/file/bot1:A/documents/file_1.pdf", true, "1:A", "documents/file_1.pdf", "")]
    [InlineData("/file/bot1:A//var/lib/telegram-bot-api/1:A/documents/file_1.pdf", true, "1:A", "/var/lib/telegram-bot-api/1:A/documents/file_1.pdf", "")]
    public void Path_ReadsBotApiTargets(string raw, bool isFile, string placeholder, string rest, string query)
    {
        Assert.True(BotApiPath.TryParse(raw, out var path));
        Assert.Equal(new BotApiPath(isFile, placeholder, rest, query), path);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/status")]
    [InlineData("/bot1:A")]
    [InlineData("/bot1:A/")]
    [InlineData("/bot1:A/get/Me")]
    [InlineData("/bot1:A/get%4De")]
    [InlineData("/file/bot1:A/../x")]
    [InlineData("/file/bot1:A/a/./b")]
    [InlineData("/file/bot1:A/a/%2E%2E/b")]
    [InlineData("/file/bot1:A/a%2fb")]
    [InlineData("/file/bot1:A/a\\b")]
    [InlineData("/bot/getMe")]
    [InlineData("/file/bot1:A//var/../etc/passwd")]
    [InlineData("/file/bot1:A///x")]
    [InlineData("/file/bot1:A/a//x")]
    public void Path_RefusesAnythingElse(string raw) => Assert.False(BotApiPath.TryParse(raw, out _));
}
