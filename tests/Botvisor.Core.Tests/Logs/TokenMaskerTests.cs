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

    /// <summary>Issue 13: a bot that printed only the secret half of its token had it stored unmasked.</summary>
    [Theory]
    [InlineData("secret=AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "secret=****")]
    [InlineData("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "****")]
    [InlineData("glued:xAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawx!", "glued:x****x!")]
    [InlineData("twice AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "twice **** ****")]
    [InlineData("token=" + Token + " and half AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "token=123456789:**** and half ****")]
    [InlineData("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsa is one short", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsa is one short")]
    public void Mask_TheSecretHalfAlone_IsMaskedToo(string input, string expected) => Assert.Equal(expected, Masker(Token).Mask(input));

    [Fact]
    public void Mask_ShortSecretHalves_AreNotMaskedAlone() =>
        Assert.Equal("the word abc is fine", Masker("77:abc").Mask("the word abc is fine"));

    /// <summary>Issue 13: a token written into a bot's command (--token ${NEWS_TOKEN}) was shown by ls, status --json and GET /bots/{id}.</summary>
    [Theory]
    [InlineData("--token=555666777:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "--token=555666777:****")]
    [InlineData("555666777:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "555666777:****")]
    [InlineData("https://x/bot555666777:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe", "https://x/bot555666777:****/getMe")]
    [InlineData("12:30:45 and host:8080 stay", "12:30:45 and host:8080 stay")]
    [InlineData(Token, "123456789:****")]
    public void MaskDefinition_MasksAnyTokenShapedArgument(string input, string expected) => Assert.Equal(expected, Masker(Token).MaskDefinition(input));
}
