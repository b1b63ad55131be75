using Botvisor.Core.Fleet;
using Botvisor.Core.Gateway;

namespace Botvisor.Core.Tests.Gateway;

public class KernelRandomTests
{
    [Fact]
    public void GetItems_ChoosesOnlyFromTheChoices_AndReachesEveryOne()
    {
        var choices = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".ToCharArray();
        var drawn = KernelRandom.GetItems<char>(choices, 64 * 300);
        Assert.All(drawn, c => Assert.Contains(c, choices));
        Assert.Equal(choices.Order(), drawn.Distinct().Order()); // missing one of 64 in 19,200 draws: about 10^-80
    }

    [Fact]
    public void GetItems_FromChoicesThatDoNotDivide256_StaysUniform()
    {
        // 3 choices: a plain byte % 3 would give the first one 86/256 of the draws (1,007,812 of 3,000,000), not a
        // third; the bounds are 4.9 standard deviations (816) either side of a million.
        var drawn = KernelRandom.GetItems<int>([0, 1, 2], 3_000_000);
        foreach (var count in drawn.GroupBy(i => i).Select(g => g.Count())) Assert.InRange(count, 1_000_000 - 4_000, 1_000_000 + 4_000);
    }

    [Fact]
    public void GetInt32_StaysInItsRange_AndReachesBothEnds()
    {
        var drawn = Enumerable.Range(0, 400).Select(_ => KernelRandom.GetInt32(-2, 2)).ToList();
        Assert.All(drawn, i => Assert.InRange(i, -2, 1));
        Assert.Equal([-2, -1, 0, 1], drawn.Distinct().Order());
        Assert.InRange(KernelRandom.GetInt32(100_000_000, int.MaxValue), 100_000_000, int.MaxValue - 1);
    }

    [Fact]
    public void BadArguments_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelRandom.GetInt32(5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelRandom.GetItems<int>([], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelRandom.GetItems<int>(new int[257], 3));
    }

    [Fact]
    public void Placeholders_OfOneToken_AreFreshEachTime_AndShapedLikeIt()
    {
        var real = new BotToken("123456789:" + new string('x', 35));
        var a = PlaceholderToken.For(real);
        var b = PlaceholderToken.For(real);
        Assert.NotEqual(a, b);
        Assert.Matches("^123456789:[A-Za-z0-9_-]{35}$", a);
    }
}
