using Botvisor.Core.Telegram;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Telegram;

public class ChatRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ChatRateLimiter _limiter = new();

    [Fact]
    public void OneChat_OneMessageASecond()
    {
        Assert.Equal(TimeSpan.Zero, _limiter.Delay(42, _time.GetUtcNow()));
        _limiter.Sent(42, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.FromMilliseconds(700), _limiter.Delay(42, _time.GetUtcNow()));
        Assert.Equal(TimeSpan.Zero, _limiter.Delay(43, _time.GetUtcNow()));
    }

    [Fact]
    public void Group_TwentyAMinute()
    {
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(TimeSpan.Zero, _limiter.Delay(-100, _time.GetUtcNow()));
            _limiter.Sent(-100, _time.GetUtcNow());
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(TimeSpan.FromSeconds(40), _limiter.Delay(-100, _time.GetUtcNow()));
    }

    [Fact]
    public void RetryAfter_BlocksTheChat()
    {
        _limiter.RetryAfter(42, TimeSpan.FromSeconds(7), _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(5), _limiter.Delay(42, _time.GetUtcNow()));
    }
}
