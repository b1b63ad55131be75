using System.Text.RegularExpressions;
using Botvisor.IntegrationTests.Runners;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Botvisor.BrowserTests.Dashboard;

/// <summary>The dashboard as a person uses it, in Debian's chromium, against a real daemon and real bots.</summary>
public sealed partial class DashboardTests(SampleFleet fleet, BrowserSession browser) : IClassFixture<SampleFleet>, IClassFixture<BrowserSession>
{
    private static ILocator Row(IPage page, string bot) => page.Locator($".fleet .body .row[data-bot='{bot}']");

    private async Task<IPage> SignedInAsync(int width = 1440, int height = 860, ColorScheme scheme = ColorScheme.Light, bool mobile = false)
    {
        var page = await browser.NewPageAsync(width, height, scheme, mobile);
        await page.GotoAsync(fleet.Address.ToString());
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await page.FillAsync("#token", SampleFleet.ApiToken);
        await page.ClickAsync("button[type=submit]");
        await Expect(page.Locator("#fleet")).ToBeVisibleAsync();
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        return page;
    }

    private void NoScriptErrors(IPage page) => Assert.Empty(browser.PageErrors[page]);

    [Fact]
    public async Task SignIn_WithTheToken_ShowsTheSampleBots_AndNoTokenEverReachesThePage()
    {
        var page = await browser.NewPageAsync();
        var seen = new List<(string Url, string Body)>();
        page.Response += async (_, response) =>
        {
            var type = await response.HeaderValueAsync("content-type") ?? "";
            if (type.Contains("event-stream", StringComparison.Ordinal) || response.Url.Contains("follow=true", StringComparison.Ordinal)) return; // streams never end
            try
            {
                seen.Add((response.Url, await response.TextAsync()));
            }
            catch (PlaywrightException)
            {
                // a redirect or a page that went away has no body
            }
        };
        await page.GotoAsync(fleet.Address.ToString());
        await page.FillAsync("#token", SampleFleet.ApiToken);
        await page.ClickAsync("button[type=submit]");

        await Expect(Row(page, "echo").Locator(".cell.state .badge")).ToHaveTextAsync("running");
        await Expect(Row(page, "echo").Locator(".cell.username")).ToHaveTextAsync("@echo_sample_bot");
        await Expect(Row(page, "admin").Locator(".cell.username")).ToHaveTextAsync("@admin_sample_bot");
        await Expect(Row(page, "talker").Locator(".cell.pid")).ToHaveTextAsync(new Regex(@"^\d+$"));
        await Expect(Row(page, "admin").Locator(".cell.poll")).ToHaveTextAsync(new Regex(" ago$")); // through the gateway
        await Expect(Row(page, "admin").Locator(".cell.r429")).ToHaveTextAsync("0");
        await Expect(Row(page, "echo").Locator(".cell.poll")).ToHaveTextAsync(""); // not behind it
        await Expect(page.Locator(".fleet .body .row")).ToHaveCountAsync(4);
        await Expect(page.Locator("#who")).ToHaveTextAsync("signed in as token:env");
        await Expect(Row(page, "echo").Locator(".cell.rss")).ToHaveTextAsync(new Regex(@"\d+(\.\d)? MiB"), new() { Timeout = 60_000 }); // sampled every 15 s
        await Screenshots.SaveAsync(page, "fleet");

        // The session cookie is out of the script's reach.
        Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie"));
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "botvisor_session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);

        // Neither the API token nor a bot's token is in the page, its scripts or what it read.
        var html = await page.ContentAsync();
        Assert.NotEmpty(seen);
        foreach (var secret in fleet.BotTokens.Append(SampleFleet.ApiToken))
        {
            Assert.DoesNotContain(secret, html, StringComparison.Ordinal);
            foreach (var (url, body) in seen)
            {
                Assert.False(body.Contains(secret, StringComparison.Ordinal) || url.Contains(secret, StringComparison.Ordinal), $"{url} carries a token");
            }
        }
        NoScriptErrors(page);
    }

    [Fact]
    public async Task AWrongToken_IsRefused()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(fleet.Address + "login");
        await page.FillAsync("#token", "not-the-token");
        await page.ClickAsync("button[type=submit]");
        await Expect(page.Locator(".error[role=alert]")).ToHaveTextAsync("That API token is not valid.");
        Assert.Empty(await page.Context.CookiesAsync());
        await Screenshots.SaveAsync(page, "login-refused");

        await page.GotoAsync(fleet.Address.ToString());
        await Expect(page).ToHaveURLAsync(new Regex("/login$")); // still outside
        NoScriptErrors(page);
    }

    [Fact]
    public async Task ACrashingBot_ChangesStateOnThePage_WithoutAReload()
    {
        var page = await SignedInAsync();
        await page.EvaluateAsync("() => { window.__sameDocument = 42; }");
        var restarts = Row(page, "crashy").Locator(".cell.restarts");
        await Expect(restarts).ToHaveTextAsync(new Regex(@"^\d+$"));
        int before = int.Parse(await restarts.TextContentAsync() ?? "0", System.Globalization.CultureInfo.InvariantCulture);

        // crashy exits after 2 s and waits 3 s in backoff: the row says so, then runs again, counting the restart.
        await Expect(Row(page, "crashy").Locator(".cell.state .badge")).ToHaveTextAsync("backoff");
        await Expect(Row(page, "crashy").Locator(".cell.state .reason")).ToContainTextAsync("exited with code 3");
        await Screenshots.SaveAsync(page, "fleet-crash");
        await Expect(restarts).Not.ToHaveTextAsync(before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(Row(page, "crashy").Locator(".cell.state .badge")).ToHaveTextAsync("running");
        Assert.Equal(42, await page.EvaluateAsync<int>("() => window.__sameDocument")); // never reloaded

        // A keyboard user on the table keeps the focus while the rows change under it.
        var link = Row(page, "crashy").Locator(".cell.id a");
        await link.FocusAsync();
        var now = await restarts.TextContentAsync();
        await Expect(restarts).Not.ToHaveTextAsync(now!);
        await Expect(link).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("#/bots/crashy$"));
        NoScriptErrors(page);
    }

    [Fact]
    public async Task TheFilter_NarrowsTheTable_ByTextAndState()
    {
        var page = await SignedInAsync();
        await Expect(page.Locator(".fleet .body .row")).ToHaveCountAsync(4);
        await page.FillAsync("#filter", "sample_bot"); // matches @usernames
        await Expect(page.Locator(".fleet .body .row")).ToHaveCountAsync(2);
        await page.FillAsync("#filter", "talk");
        await Expect(page.Locator(".fleet .body .row")).ToHaveCountAsync(1);
        await Expect(Row(page, "talker")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "fleet-filtered");

        await page.FillAsync("#filter", "");
        await page.SelectOptionAsync("#state-filter", "failed");
        await Expect(page.Locator("main .empty")).ToHaveTextAsync("No bot matches the filter.");
        await page.SelectOptionAsync("#state-filter", "");
        await Expect(page.Locator(".fleet .body .row")).ToHaveCountAsync(4);

        // Sorting by a column, both ways.
        await page.ClickAsync(".fleet .head [role=columnheader]:has-text('Bot') button");
        await Expect(page.Locator(".fleet .head [aria-sort=descending]")).ToHaveCountAsync(1);
        Assert.Equal("talker", await page.Locator(".fleet .body .row").First.GetAttributeAsync("data-bot"));
        NoScriptErrors(page);
    }

    [Fact]
    public async Task RestartFromTheBotPage_ChangesItsPid_AndItsOutputFollowsLive()
    {
        var page = await SignedInAsync();
        await page.ClickAsync(".fleet a[href='#/bots/talker']");
        var pid = page.Locator("#bot-pid");
        await Expect(pid).ToHaveTextAsync(new Regex(@"^\d+$"));
        var oldPid = await pid.TextContentAsync();
        var firstTicks = page.Locator("#log .line .x").Filter(new LocatorFilterOptions { HasTextRegex = new Regex("^tick 1$") });

        // The output follows as lines arrive.
        var lines = page.Locator("#log .line");
        await Expect(lines.First).ToContainTextAsync("tick");
        int count = await lines.CountAsync();
        await Expect(lines).Not.ToHaveCountAsync(count);
        int starts = await firstTicks.CountAsync();

        await page.ClickAsync("[data-action=restart]");
        await Expect(page.Locator("#confirm-text")).ToHaveTextAsync("Restart bot talker?");
        await page.ClickAsync("#confirm-ok");
        await Expect(page.Locator(".result")).ToContainTextAsync("restarted talker: running (pid");
        await Expect(pid).Not.ToHaveTextAsync(oldPid!);
        await Expect(page.Locator("[data-action=start]")).ToBeDisabledAsync(); // running: nothing to start
        await Expect(page.Locator("[data-action=remove]")).ToBeHiddenAsync(); // a bot of the fleet file
        await Expect(firstTicks).ToHaveCountAsync(starts + 1); // the new worker's first line, followed
        await Expect(page.Locator(".events li").First).ToBeVisibleAsync();
        var definition = page.Locator("section[aria-labelledby=h-def]");
        await Expect(definition).ToContainTextAsync("SIGTERM, then SIGKILL after 3s"); // the fleet's defaults, resolved
        await Expect(definition).ToContainTextAsync("on-failure; at most 10 in a row");
        await page.WaitForTimeoutAsync(1000);
        await Screenshots.SaveAsync(page, "bot", fullPage: true);

        // Pause keeps the view still and counts what came meanwhile; search marks what it finds.
        await page.ClickAsync("#log-pause");
        await Expect(page.Locator("#log-pause")).ToHaveTextAsync(new Regex(@"^Resume \(\d+ new\)$"));
        await page.ClickAsync("#log-pause");
        await page.FillAsync("#log-search", "tick 2");
        await Expect(page.Locator("#log mark").First).ToHaveTextAsync("tick 2");
        await page.UncheckAsync("#log-stdout");
        await Expect(page.Locator("#log .line")).ToHaveCountAsync(0);
        NoScriptErrors(page);
    }

    [Fact]
    public async Task AnActionWithoutTheCsrfToken_IsRefused_EvenFromThePageItself()
    {
        var page = await SignedInAsync();
        await page.ClickAsync(".fleet a[href='#/bots/echo']");
        await Expect(page.Locator("#bot-pid")).ToHaveTextAsync(new Regex(@"^\d+$"));
        var pid = await page.Locator("#bot-pid").TextContentAsync();

        var noHeader = await page.EvaluateAsync<int>("async () => (await fetch('bots/echo/restart', { method: 'POST' })).status");
        var wrongHeader = await page.EvaluateAsync<int>("async () => (await fetch('bots/echo/restart', { method: 'POST', headers: { 'x-csrf-token': 'guessed' } })).status");
        var form = await page.EvaluateAsync<int>("async () => (await fetch('bots/echo/stop', { method: 'POST', body: new URLSearchParams({ a: 1 }) })).status");
        var read = await page.EvaluateAsync<int>("async () => (await fetch('status')).status");
        Assert.Equal([403, 403, 403, 403], new[] { noHeader, wrongHeader, form, read }); // the cookie alone does nothing

        using var api = await fleet.ApiAsync();
        using var bot = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync("/bots/echo"));
        Assert.Equal(pid, bot.RootElement.GetProperty("pid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        NoScriptErrors(page);
    }

    [Fact]
    public async Task AnApiBot_CanBeRemovedFromItsPage_AndBulkActionsWorkOnASelection()
    {
        using var api = await fleet.ApiAsync();
        foreach (var id in new[] { "extra-1", "extra-2" })
        {
            using var added = await api.PostAsync("/bots", new StringContent($$"""{"id":"{{id}}","command":["sleep","1000"]}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }
        var page = await SignedInAsync();
        await Expect(Row(page, "extra-2").Locator(".cell.state .badge")).ToHaveTextAsync("running");

        // Bulk: stop both, with one confirmation.
        await page.FillAsync("#filter", "extra");
        await page.CheckAsync(".fleet .head input[type=checkbox]");
        await Expect(page.Locator(".bulk")).ToContainTextAsync("2 selected");
        await page.ClickAsync("[data-bulk=stop]");
        await Expect(page.Locator("#confirm-text")).ToContainTextAsync("Stop 2 bot(s)");
        await page.ClickAsync("#confirm-ok");
        await Expect(page.Locator("#toast")).ToHaveTextAsync("stopped 2 of 2");
        await Expect(Row(page, "extra-1").Locator(".cell.state .badge")).ToHaveTextAsync("stopped");
        await Expect(Row(page, "extra-2").Locator(".cell.state .badge")).ToHaveTextAsync("stopped");

        // Remove, from the bot's page; cancelling first changes nothing.
        await page.ClickAsync(".fleet a[href='#/bots/extra-1']");
        await page.ClickAsync("[data-action=remove]");
        await page.ClickAsync("#confirm button[value=cancel]");
        await Expect(page.Locator("[data-action=remove]")).ToBeEnabledAsync();
        await page.ClickAsync("[data-action=remove]");
        await page.ClickAsync("#confirm-ok");
        await Expect(page).ToHaveURLAsync(new Regex("#/$"));
        await Expect(Row(page, "extra-2")).ToBeVisibleAsync();
        await Expect(Row(page, "extra-1")).ToHaveCountAsync(0);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await api.GetAsync("/bots/extra-1")).StatusCode);
        await api.DeleteAsync("/bots/extra-2");
        await Expect(Row(page, "extra-2")).ToHaveCountAsync(0); // removed elsewhere: gone here too, live
        NoScriptErrors(page);
    }

    [Fact]
    public async Task TheEventsPage_IsLive_AndFilters()
    {
        var page = await SignedInAsync();
        await page.ClickAsync("nav a[data-nav=events]");
        await Expect(page.Locator("#event-list li").First).ToBeVisibleAsync();
        await page.SelectOptionAsync("#event-kind", "state");
        await page.FillAsync("#event-bot", "crashy");
        var first = page.Locator("#event-list li").First;
        await Expect(first).ToContainTextAsync("crashy");
        var top = await first.TextContentAsync();
        await Expect(first).Not.ToHaveTextAsync(top!); // crashy's next state change arrives on its own
        foreach (var kind in await page.Locator("#event-list li .k").AllTextContentsAsync()) Assert.Equal("state", kind);
        await Screenshots.SaveAsync(page, "events");

        await page.SelectOptionAsync("#event-kind", "audit");
        await page.FillAsync("#event-bot", "");
        await Expect(page.Locator("#event-list")).ToContainTextAsync("token:env: dashboard login");
        NoScriptErrors(page);
    }

    [Fact]
    public async Task OnAPhone_AndInTheDark_ThePageReads()
    {
        var phone = await SignedInAsync(390, 844, ColorScheme.Dark, mobile: true);
        await Expect(Row(phone, "echo")).ToBeVisibleAsync();
        await Expect(Row(phone, "echo").Locator(".cell.id a")).ToBeInViewportAsync();
        await Expect(Row(phone, "echo").Locator(".cell.state .badge")).ToBeInViewportAsync(); // the state, without scrolling sideways
        await Screenshots.SaveAsync(phone, "fleet-phone-dark");
        var background = await phone.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(15, 18, 22)", background); // the dark palette, from the system's setting
        NoScriptErrors(phone);
    }

    [Fact]
    public async Task BotvisorUi_PrintsALinkThatSignsInOnce()
    {
        var (exit, stdout, stderr) = await DaemonRunner.RunCliAsync("ui", "--state-dir", fleet.Daemon.StateDir);
        Assert.True(exit == 0, stderr);
        var link = stdout.Trim();
        Assert.StartsWith(fleet.Address + "login?code=", link, StringComparison.Ordinal);

        var page = await browser.NewPageAsync();
        await page.GotoAsync(link);
        await Expect(page.Locator("#fleet")).ToBeVisibleAsync();
        await Expect(page.Locator("#who")).ToHaveTextAsync(new Regex("^signed in as unix:"));
        Assert.DoesNotContain("code=", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("#k=", page.Url, StringComparison.Ordinal); // the session's key left the address bar too

        var other = await browser.NewPageAsync();
        await other.GotoAsync(link);
        await Expect(other.Locator(".error[role=alert]")).ToContainTextAsync("This sign-in link is not valid");
        NoScriptErrors(page);
    }

    [Fact]
    public async Task TheApiDocs_WorkWithTheSameSession()
    {
        var page = await SignedInAsync();
        await page.ClickAsync("nav a[href=ui]");
        await Expect(page).ToHaveURLAsync(new Regex("/ui/?$"));
        await Expect(page.GetByText("Botvisor API").First).ToBeVisibleAsync();
        Assert.Contains("scalar-config.js", await page.ContentAsync(), StringComparison.Ordinal);

        // What the docs do with a request someone tries there: the session's CSRF token is added, so the action is taken.
        using var api = await fleet.ApiAsync();
        using var before = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync("/bots/talker"));
        var status = await page.EvaluateAsync<int>("""
            async () => {
              const config = (await import("/assets/scalar-config.js")).default;
              const request = new Request("/bots/talker/restart", { method: "POST" });
              await config.onRequestBuilt({ request });
              return (await fetch(request)).status;
            }
            """);
        Assert.Equal(200, status);
        using var after = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync("/bots/talker"));
        Assert.NotEqual(before.RootElement.GetProperty("pid").GetInt32(), after.RootElement.GetProperty("pid").GetInt32());
        await Screenshots.SaveAsync(page, "api-docs");
        NoScriptErrors(page);
    }
}
