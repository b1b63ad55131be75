using Botvisor.Core.Fleet;
using Botvisor.Core.Logs;

namespace Botvisor.Core.Tests.Logs;

public class TokenMaskerTests
{
    private const string Token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    private static TokenMasker Masker(params string[] tokens)
    {
        var m = new TokenMasker();
        m.SetTokens(tokens.Select(t => new BotToken(t)));
        return m;
    }

    [Theory]
    [InlineData("token=" + Token, "token=123456789:****")]
    [InlineData("GET https://api.telegram.org/bot" + Token + "/getMe", "GET https://api.telegram.org/bot123456789:****/getMe")]
    [InlineData(Token + " " + Token, "123456789:**** 123456789:****")]
    [InlineData("at 12:30 nothing secret", "at 12:30 nothing secret")]
    public void Mask_ReplacesFleetTokens(string input, string expected) => Assert.Equal(expected, Masker(Token).Mask(input));

    [Fact]
    public void Mask_OtherTokensAreLeftAlone() =>
        Assert.Equal("999:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Masker(Token).Mask("999:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));

    [Fact]
    public void Mask_TokenOfAnotherShape_IsStillMasked() =>
        Assert.Equal("key 42:****", Masker("42:with space").Mask("key 42:with space"));
}
