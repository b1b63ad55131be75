using Botvisor.Core.Telegram;

namespace Botvisor.Core.Tests.Telegram;

public class MessageSplitterTests
{
    /// <summary>Every part parses on its own: tags balanced, no entity or tag cut.</summary>
    private static void AssertWellFormed(string part)
    {
        var open = new Stack<string>();
        int i = 0;
        while (i < part.Length)
        {
            if (part[i] == '<')
            {
                int close = part.IndexOf('>', i);
                Assert.True(close > i, $"a tag is cut in: {part[Math.Max(0, part.Length - 40)..]}");
                var tag = part[(i + 1)..close];
                var name = tag.TrimStart('/').Split(' ')[0];
                if (tag.StartsWith('/')) Assert.Equal(open.Pop(), name);
                else open.Push(name);
                i = close + 1;
            }
            else if (part[i] == '&')
            {
                int semi = part.IndexOf(';', i);
                Assert.True(semi > i && semi - i <= 6, "an entity is cut");
                i = semi + 1;
            }
            else
            {
                Assert.False(char.IsHighSurrogate(part[i]) && (i + 1 == part.Length || !char.IsLowSurrogate(part[i + 1])), "a surrogate pair is cut");
                i++;
            }
        }
        Assert.Empty(open);
    }

    [Fact]
    public void Short_IsOnePart()
    {
        Assert.Equal(["<b>hi</b>"], MessageSplitter.Split("<b>hi</b>"));
    }

    [Fact]
    public void LongPre_IsSplitAtLinesAndReopened()
    {
        var lines = Enumerable.Range(0, 400).Select(i => $"12:00:{i % 60:00} line {i} &lt;tag&gt; &amp; more text 😀").ToList();
        var html = "<b>echo</b>, last 400 lines:\n<pre>" + string.Join("\n", lines) + "</pre>";

        var parts = MessageSplitter.Split(html);

        Assert.True(parts.Count > 3);
        foreach (var part in parts)
        {
            Assert.InRange(part.Length, 1, 4096);
            AssertWellFormed(part);
        }
        Assert.All(parts.Skip(1), p => Assert.StartsWith("<pre>", p, StringComparison.Ordinal));
        Assert.All(parts.SkipLast(1), p => Assert.EndsWith("</pre>", p, StringComparison.Ordinal));
        // Nothing lost: the parts without the re-opened and re-closed tags give the text back.
        var joined = string.Concat(parts.Select((p, i) => p[(i == 0 ? 0 : 5)..(i == parts.Count - 1 ? p.Length : p.Length - 6)]));
        Assert.Equal(html, joined);
    }

    [Fact]
    public void OneHugeLine_IsCutBetweenCharactersNotInsideEntitiesOrPairs()
    {
        var html = "<i>" + string.Concat(Enumerable.Repeat("a&amp;😀", 3000)) + "</i>";
        var parts = MessageSplitter.Split(html, 1000);
        Assert.All(parts, p =>
        {
            Assert.InRange(p.Length, 1, 1000);
            AssertWellFormed(p);
        });
    }

    [Fact]
    public void Shorten_NeverCutsASurrogatePair()
    {
        var s = TelegramHtml.Shorten("ab😀cd", 4);
        Assert.Equal("ab…", s);
    }
}
