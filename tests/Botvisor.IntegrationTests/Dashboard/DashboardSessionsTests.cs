using Botvisor.Dashboard;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.IntegrationTests.Dashboard;

/// <summary>Sessions and one-time codes as values and time: lifetimes, single use, forgeries, the bound on how many.</summary>
public class DashboardSessionsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void ASession_IsFoundByItsCookie_UntilItsLifetimeEnds_OrItIsEnded()
    {
        var sessions = new DashboardSessions(_time);
        var (session, cookie) = sessions.Create("token:ops");
        Assert.Same(session, sessions.Find(cookie));
        Assert.Equal("token:ops", session.Actor);
        Assert.DoesNotContain(session.Secret, session.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(session.CsrfToken, session.ToString(), StringComparison.Ordinal);

        _time.Advance(DashboardSessions.SessionLifetime - TimeSpan.FromSeconds(1));
        Assert.NotNull(sessions.Find(cookie)); // no sliding renewal, but alive until then
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(sessions.Find(cookie));
        Assert.Equal(0, sessions.Count);

        var (other, otherCookie) = sessions.Create("unix:root");
        sessions.End(other);
        Assert.Null(sessions.Find(otherCookie));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("key.")]
    [InlineData(".secret")]
    [InlineData("no-dot-at-all")]
    public void MalformedCookies_FindNothing(string? cookie) => Assert.Null(new DashboardSessions(TimeProvider.System).Find(cookie));

    [Fact]
    public void AForgedSecret_OrAnotherSessionsSecret_FindsNothing()
    {
        var sessions = new DashboardSessions(_time);
        var (_, cookie) = sessions.Create("token:ops");
        var (_, other) = sessions.Create("token:ci");
        var key = cookie[..cookie.IndexOf('.', StringComparison.Ordinal)];
        var otherSecret = other[(other.IndexOf('.', StringComparison.Ordinal) + 1)..];
        Assert.Null(sessions.Find(key + "." + otherSecret));
        Assert.Null(sessions.Find(key + "." + new string('A', 43)));
        Assert.Null(sessions.Find(cookie + "x"));
        Assert.Null(sessions.Find(cookie + new string('x', 200))); // too long to look at
        Assert.NotNull(sessions.Find(cookie));
    }

    [Fact]
    public void ACode_SignsInOnce_WithinItsLifetime()
    {
        var sessions = new DashboardSessions(_time);
        var (code, expires) = sessions.CreateCode("unix:root");
        Assert.Equal(_time.GetUtcNow() + DashboardSessions.CodeLifetime, expires);
        Assert.Equal("unix:root", sessions.Redeem(code));
        Assert.Null(sessions.Redeem(code)); // spent

        var (late, _) = sessions.CreateCode("unix:root");
        _time.Advance(DashboardSessions.CodeLifetime);
        Assert.Null(sessions.Redeem(late));

        var (guessed, _) = sessions.CreateCode("unix:root");
        Assert.Null(sessions.Redeem(guessed[..^1] + (guessed[^1] == 'A' ? 'B' : 'A')));
        Assert.Equal("unix:root", sessions.Redeem(guessed)); // a wrong guess does not spend the code

        var (_, cookie) = sessions.Create("unix:root");
        Assert.Null(sessions.Redeem(cookie)); // a session's cookie is not a code
    }

    [Fact]
    public void HowManySessions_IsBounded_TheOldestGoFirst()
    {
        var sessions = new DashboardSessions(_time);
        var (_, first) = sessions.Create("token:ops");
        _time.Advance(TimeSpan.FromSeconds(1));
        string last = "";
        for (int i = 0; i < DashboardSessions.MaxSessions; i++) (_, last) = sessions.Create("token:ops");
        Assert.Equal(DashboardSessions.MaxSessions, sessions.Count);
        Assert.Null(sessions.Find(first));
        Assert.NotNull(sessions.Find(last));
    }

    [Fact]
    public void TheCsrfCheck_IsExact()
    {
        var (session, _) = new DashboardSessions(_time).Create("token:ops");
        Assert.True(session.CsrfMatches(session.CsrfToken));
        Assert.False(session.CsrfMatches(null));
        Assert.False(session.CsrfMatches(""));
        Assert.False(session.CsrfMatches(session.CsrfToken + " "));
        var otherCase = session.CsrfToken.ToUpperInvariant();
        if (otherCase == session.CsrfToken) otherCase = session.CsrfToken.ToLowerInvariant();
        Assert.False(session.CsrfMatches(otherCase));
        Assert.False(session.CsrfMatches(session.Secret));
    }
}
