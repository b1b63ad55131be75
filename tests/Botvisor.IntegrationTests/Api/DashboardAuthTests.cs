using System.Net;
using System.Text;
using System.Text.Json;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Api;

/// <summary>
/// The dashboard's sign-in rules at the HTTP level, against a real daemon: the login form and its
/// cookie, CSRF on every action of a session, one-time links from the local socket, and what a
/// daemon without an API token lets a browser (or any other local user) do on its TCP port.
/// </summary>
[Collection(Daemon.DaemonCollection.Name)]
public class DashboardAuthTests
{
    private const string BotToken = "4242424242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
    private const string ApiToken = "dashboard-api-token-0123456789";

    private static TempFleet Fleet() => new TempFleet().Write($$"""
        defaults:
          stop_timeout: 5s
          telegram: { validate: false }
        bots:
          alpha:
            command: ["sh", "-c", "sleep 1000"]
            token: "{{BotToken}}"
        """);

    private static DaemonRunner Start(TempFleet fleet, bool auth = true) =>
        DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, auth ? new Dictionary<string, string> { ["BOTVISOR_API_TOKEN"] = ApiToken } : null);

    /// <summary>A browser-like client that keeps nothing on its own: cookies and redirects are the test's to see.</summary>
    private static async Task<HttpClient> BrowserAsync(DaemonRunner daemon) =>
        new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = await daemon.ApiAddressAsync(), Timeout = TestTimeouts.Event };

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient http, string field, string value, string? next = null, string? site = "same-origin", string? forwardedProto = null)
    {
        var form = new Dictionary<string, string> { [field] = value };
        if (next is not null) form["next"] = next;
        var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent(form) };
        if (site is not null) request.Headers.Add("Sec-Fetch-Site", site);
        if (forwardedProto is not null) request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        return await http.SendAsync(request);
    }

    /// <summary>The session's second secret, by cookie: what the page keeps from the sign-in's fragment.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Keys = new();

    private static string SessionCookie(HttpResponseMessage login)
    {
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        var cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
        var location = login.Headers.Location!.ToString();
        Assert.StartsWith("./#k=", location, StringComparison.Ordinal);
        var key = Uri.UnescapeDataString(location["./#k=".Length..].Split('&')[0]);
        Assert.DoesNotContain(key, setCookie, StringComparison.Ordinal);
        Keys[cookie] = key;
        return cookie;
    }

    private static HttpRequestMessage WithCookie(HttpMethod method, string path, string cookie, string? csrf = null, string? site = "same-origin")
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        if (csrf is not null) request.Headers.Add("X-CSRF-Token", csrf);
        if (site is not null) request.Headers.Add("Sec-Fetch-Site", site);
        return request;
    }

    private static Task<string> CsrfAsync(HttpClient http, string cookie) => Task.FromResult(Keys[cookie]);

    private static async Task<int> PidAsync(HttpClient http, string cookie)
    {
        using var response = await http.SendAsync(WithCookie(HttpMethod.Get, "/bots/alpha", cookie, Keys[cookie]));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("pid").GetInt32();
    }

    [Fact]
    public async Task Login_WithTheToken_SetsAStrictHttpOnlyCookie_AWrongTokenGetsNone()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await BrowserAsync(daemon);

        var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.SeeOther, page.StatusCode);
        Assert.Equal("login", page.Headers.Location?.ToString());
        var form = await http.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("script-src 'self'", form.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var wrong = await LoginAsync(http, "token", "not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        Assert.Contains("That API token is not valid", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-token", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("wrong API token", (await daemon.WaitForAsync(1000)).Message, StringComparison.Ordinal);

        var right = await LoginAsync(http, "token", ApiToken, next: "ui");
        Assert.EndsWith("&next=ui", right.Headers.Location?.ToString(), StringComparison.Ordinal);
        var setCookie = Assert.Single(right.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase); // plain http on loopback
        Assert.DoesNotContain(ApiToken, setCookie, StringComparison.Ordinal);

        var overHttps = await LoginAsync(http, "token", ApiToken, forwardedProto: "https");
        Assert.Contains("secure", Assert.Single(overHttps.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);

        var cookie = SessionCookie(right);
        var key = Keys[cookie];
        using var status = await http.SendAsync(WithCookie(HttpMethod.Get, "/status", cookie, key));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var body = await status.Content.ReadAsStringAsync();
        Assert.DoesNotContain(BotToken, body, StringComparison.Ordinal);
        Assert.Contains("4242424242:****", body, StringComparison.Ordinal);
        using var session = await http.SendAsync(WithCookie(HttpMethod.Get, "/session", cookie, key));
        Assert.Contains("\"actor\":\"token:env\"", await session.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var docs = await http.SendAsync(WithCookie(HttpMethod.Get, "/ui/", cookie));
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode); // the API docs work with the same session
        using var schema = await http.SendAsync(WithCookie(HttpMethod.Get, "/schema", cookie));
        Assert.Equal(HttpStatusCode.OK, schema.StatusCode);

        // The cookie alone, as a server on another port of this host would receive it, reads nothing but
        // the secret-free event stream: every other request needs the key the page keeps.
        foreach (var path in new[] { "/status", "/bots/alpha", "/bots/alpha/logs", "/session", "/metrics" })
        {
            using var cookieOnly = await http.SendAsync(WithCookie(HttpMethod.Get, path, cookie));
            Assert.True(cookieOnly.StatusCode == HttpStatusCode.Forbidden, $"{path} with the cookie alone: {cookieOnly.StatusCode}");
        }
        using var events = await http.SendAsync(WithCookie(HttpMethod.Get, "/events?follow=false&tail=20", cookie));
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        Assert.DoesNotContain(BotToken, await events.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actions_OfASession_NeedItsCsrfToken_AndMustComeFromItsOwnSite()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await BrowserAsync(daemon);
        var cookie = SessionCookie(await LoginAsync(http, "token", ApiToken));
        var csrf = await CsrfAsync(http, cookie);
        int pid = await PidAsync(http, cookie);

        var refused = new (string Why, HttpRequestMessage Request)[]
        {
            ("no CSRF header", WithCookie(HttpMethod.Post, "/bots/alpha/restart", cookie)),
            ("a wrong CSRF header", WithCookie(HttpMethod.Post, "/bots/alpha/restart", cookie, csrf[..^2] + "xx")),
            ("another session's CSRF", WithCookie(HttpMethod.Post, "/bots/alpha/restart", cookie, await CsrfAsync(http, SessionCookie(await LoginAsync(http, "token", ApiToken))))),
            ("another site", WithCookie(HttpMethod.Post, "/bots/alpha/restart", cookie, csrf, site: "cross-site")),
            ("a sibling site", WithCookie(HttpMethod.Post, "/bots/alpha/restart", cookie, csrf, site: "same-site")),
            ("a foreign Origin", OriginOf(WithCookie(HttpMethod.Post, "/bots/alpha/restart", cookie, csrf, site: null), "http://evil.example")),
            ("DELETE without CSRF", WithCookie(HttpMethod.Delete, "/bots/alpha", cookie)),
            ("shutdown without CSRF", WithCookie(HttpMethod.Post, "/shutdown", cookie)),
        };
        foreach (var (why, request) in refused)
        {
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{why}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(pid, await PidAsync(http, cookie)); // nothing was restarted

        using var allowed = await http.SendAsync(WithCookie(HttpMethod.Post, "/bots/alpha/restart", cookie, csrf));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.NotEqual(pid, await PidAsync(http, cookie));

        // The audit log names who the session acts for.
        using var events = await http.SendAsync(WithCookie(HttpMethod.Get, "/events?follow=false&tail=50", cookie));
        Assert.Contains("token:env: restart alpha", await events.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage OriginOf(HttpRequestMessage request, string origin)
    {
        request.Headers.Add("Origin", origin);
        return request;
    }

    [Fact]
    public async Task ForgedOrEndedSessions_AndForeignRedirects_AreRefused()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await BrowserAsync(daemon);
        var cookie = SessionCookie(await LoginAsync(http, "token", ApiToken));
        var csrf = await CsrfAsync(http, cookie);
        var value = cookie[(cookie.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var key = value[..value.IndexOf('.', StringComparison.Ordinal)];

        foreach (var forged in new[] { "botvisor_session=" + key + ".AAAA", "botvisor_session=" + key, "botvisor_session=x.y", "botvisor_session=" + new string('a', 4000) })
        {
            using var response = await http.SendAsync(WithCookie(HttpMethod.Get, "/status", forged));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{forged[..Math.Min(40, forged.Length)]}: {response.StatusCode}");
        }

        // next= never leaves the site.
        foreach (var next in new[] { "//evil.example", "https://evil.example", "/\\evil.example", "../x", "ui/../../x" })
        {
            var login = await LoginAsync(http, "token", ApiToken, next: next);
            Assert.DoesNotContain("next", login.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        // A login posted from another site (login CSRF) is refused.
        var crossSite = await LoginAsync(http, "token", ApiToken, site: "cross-site");
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.False(crossSite.Headers.Contains("Set-Cookie"));

        // A page the browser opens is sent to the login form, keeping where it was going; a script's request gets a 401.
        var navigate = new HttpRequestMessage(HttpMethod.Get, "/ui");
        navigate.Headers.Add("Accept", "text/html,application/xhtml+xml");
        var redirected = await http.SendAsync(navigate);
        Assert.Equal(HttpStatusCode.SeeOther, redirected.StatusCode);
        Assert.Equal("login?next=ui", redirected.Headers.Location?.ToString());

        using var logout = await http.SendAsync(WithCookie(HttpMethod.Post, "/logout", cookie, csrf));
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var after = await http.SendAsync(WithCookie(HttpMethod.Get, "/status", cookie, csrf));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task WithoutAnApiToken_OnlyAOneTimeLinkFromTheLocalSocket_OpensASession()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet, auth: false);
        using var http = await BrowserAsync(daemon);
        using var unix = daemon.UnixHttp();

        // Any local user reaches the port: the page's files, yes; control, data or a session, no.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/assets/app.js")).StatusCode);
        Assert.Contains("botvisor ui", await (await http.GetAsync("/login")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var guess in new[] { "", "anything", ApiToken })
        {
            var login = await LoginAsync(http, "token", guess);
            Assert.False(login.Headers.Contains("Set-Cookie"), $"a session for token '{guess}'");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/login-links", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/status")).StatusCode);

        // The daemon's own user asks on the socket (what `botvisor ui` does).
        using var created = await unix.PostAsync("/login-links", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var link = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var url = new Uri(link.RootElement.GetProperty("url").GetString()!);
        Assert.Equal((await daemon.ApiAddressAsync()).Authority, url.Authority);
        var code = Uri.UnescapeDataString(url.Query["?code=".Length..]);

        var cookie = SessionCookie(await LoginAsync(http, "code", code));
        using var status = await http.SendAsync(WithCookie(HttpMethod.Get, "/status", cookie, Keys[cookie]));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var session = await http.SendAsync(WithCookie(HttpMethod.Get, "/session", cookie, Keys[cookie]));
        Assert.Contains("\"actor\":\"unix:", await session.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Used once; a code with a changed secret is nothing.
        var again = await LoginAsync(http, "code", code);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.False(again.Headers.Contains("Set-Cookie"));
        using var second = JsonDocument.Parse(await (await unix.PostAsync("/login-links", null)).Content.ReadAsStringAsync());
        var secondCode = Uri.UnescapeDataString(second.RootElement.GetProperty("path").GetString()!["login?code=".Length..]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(http, "code", secondCode[..^3] + "abc")).StatusCode);

        // A session cannot mint links for itself (or anyone): a stolen cookie does not become a lasting one.
        var csrf = await CsrfAsync(http, cookie);
        using var minted = await http.SendAsync(WithCookie(HttpMethod.Post, "/login-links", cookie, csrf));
        Assert.Equal(HttpStatusCode.Forbidden, minted.StatusCode);

        // Bearer tokens stay refused on TCP: no token is configured.
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/status");
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "anything");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(bearer)).StatusCode);
    }

    [Fact]
    public async Task TheResolvedDefinition_ShowsEveryDefault_AndNoSecret()
    {
        using var fleet = new TempFleet().Write($$"""
            defaults:
              telegram: { validate: false, api_base_url: "http://user:hunter2@127.0.0.1:1" }
            bots:
              alpha:
                command: ["sh", "-c", "sleep 1000", "--token={{BotToken}}"]
                token: "{{BotToken}}"
                env: { DATABASE_PASSWORD: "s3cret-value", LOG_LEVEL: info }
                health: { http: "http://127.0.0.1:1/healthz", interval: 10s }
            """);
        await using var daemon = Start(fleet);
        using var api = await daemon.HttpAsync(ApiToken);
        using var response = await api.GetAsync("/bots/alpha/definition");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var secret in new[] { BotToken, "s3cret-value", "hunter2" }) Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(text);
        var d = doc.RootElement;
        Assert.Equal("4242424242:****", d.GetProperty("token").GetString());
        Assert.Equal(["DATABASE_PASSWORD", "LOG_LEVEL"], d.GetProperty("env_names").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("on-failure", d.GetProperty("restart").GetString());
        Assert.Equal("SIGTERM", d.GetProperty("stop_signal").GetString());
        Assert.Equal("10s", d.GetProperty("stop_timeout").GetString());
        Assert.Equal("10s", d.GetProperty("health").GetProperty("interval").GetString());
        Assert.Equal("http://****@127.0.0.1:1", d.GetProperty("telegram").GetProperty("api_base_url").GetString());
        Assert.Contains("--token=4242424242:****", d.GetProperty("command").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/bots/nobody/definition")).StatusCode);
    }

    [Fact]
    public async Task ThePage_HoldsNoToken_AndIsServedFromTheBinary()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet);
        using var http = await BrowserAsync(daemon);
        var cookie = SessionCookie(await LoginAsync(http, "token", ApiToken));
        long total = 0;
        foreach (var path in new[] { "/", "/assets/app.js", "/assets/app.css", "/assets/login.js", "/assets/icon.svg", "/login" })
        {
            using var response = await http.SendAsync(path == "/login" ? new HttpRequestMessage(HttpMethod.Get, path) : WithCookie(HttpMethod.Get, path, cookie));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            var bytes = await response.Content.ReadAsByteArrayAsync();
            total += bytes.Length;
            var text = Encoding.UTF8.GetString(bytes);
            Assert.DoesNotContain(ApiToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(BotToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", text.Replace("http://www.w3.org/", "", StringComparison.Ordinal), StringComparison.Ordinal); // nothing from another host
            Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
        }
        Assert.InRange(total, 1, 80 * 1024); // small: the README states the size

        // Cached by ETag.
        using var first = await http.GetAsync("/assets/app.js");
        var again = new HttpRequestMessage(HttpMethod.Get, "/assets/app.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(again)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/assets/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/assets/nothing.js")).StatusCode);
    }

    [Fact]
    public async Task BotvisorUi_PrintsALink_OnTheDaemonsAddress_OrBehindAProxy()
    {
        using var fleet = Fleet();
        await using var daemon = Start(fleet, auth: false);
        var address = await daemon.ApiAddressAsync();

        var (exit, stdout, stderr) = await DaemonRunner.RunCliAsync("ui", "--state-dir", fleet.StateDir);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith(address + "login?code=", stdout.Trim(), StringComparison.Ordinal);
        Assert.Contains("signs in once", stderr, StringComparison.Ordinal);

        (exit, stdout, stderr) = await DaemonRunner.RunCliAsync("ui", "--state-dir", fleet.StateDir, "--json", "--base", "https://bots.example.com/botvisor");
        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var url = json.RootElement.GetProperty("url").GetString()!;
        Assert.StartsWith("https://bots.example.com/botvisor/login?code=", url, StringComparison.Ordinal);
        Assert.StartsWith("login?code=", json.RootElement.GetProperty("path").GetString(), StringComparison.Ordinal);

        // The printed link works (once) on the daemon's port.
        using var http = await BrowserAsync(daemon);
        var code = Uri.UnescapeDataString(url[(url.IndexOf("code=", StringComparison.Ordinal) + 5)..]);
        Assert.Equal(HttpStatusCode.SeeOther, (await LoginAsync(http, "code", code)).StatusCode);

        // Without a daemon, the usual exit code for "not reachable".
        daemon.Signal("TERM");
        await daemon.WaitForExitAsync();
        (exit, _, stderr) = await DaemonRunner.RunCliAsync("ui", "--state-dir", fleet.StateDir);
        Assert.Equal(3, exit);
    }
}
