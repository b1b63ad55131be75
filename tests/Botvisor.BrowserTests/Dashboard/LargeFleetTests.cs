using System.Text.RegularExpressions;
using Botvisor.IntegrationTests.Runners;
using static Microsoft.Playwright.Assertions;

namespace Botvisor.BrowserTests.Dashboard;

/// <summary>1,000 bots: the table renders only the rows in view, and stays live.</summary>
public sealed class LargeFleetTests(BrowserSession browser) : IClassFixture<BrowserSession>
{
    private const string ApiToken = "large-fleet-api-token-0123456789";

    [Fact]
    public async Task AThousandBots_RenderOnlyWhatIsVisible_AndUpdateLive()
    {
        var yaml = new System.Text.StringBuilder("defaults: { stop_timeout: 2s }\nbots:\n");
        for (int i = 0; i < 1000; i++) yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  bot-{i:D4}: {{ command: [sleep, \"1000\"], autostart: false }}\n");
        using var fleet = new TempFleet().Write(yaml.ToString());
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir, new Dictionary<string, string> { ["BOTVISOR_API_TOKEN"] = ApiToken });
        var address = await daemon.ApiAddressAsync();
        using var api = await daemon.HttpAsync(ApiToken);

        var page = await browser.NewPageAsync();
        await page.GotoAsync(address.ToString());
        await page.FillAsync("#token", ApiToken);
        await page.ClickAsync("button[type=submit]");
        var table = page.Locator("#fleet");
        await Expect(table).ToHaveAttributeAsync("aria-rowcount", "1001");
        await Expect(page.Locator(".counts")).ToContainTextAsync("all 1000");
        int rendered = await page.Locator(".fleet .body .row").CountAsync();
        Assert.InRange(rendered, 10, 60); // the rows in view and a few more, not a thousand

        // The far end of the list, scrolled to.
        await table.EvaluateAsync("t => { t.scrollTop = t.scrollHeight; }");
        var last = page.Locator(".fleet .body .row[data-bot='bot-0999']");
        await Expect(last).ToBeVisibleAsync();
        await Expect(last).ToHaveAttributeAsync("aria-rowindex", "1001");

        // One bot started elsewhere: its row changes, live.
        (await api.PostAsync("/bots/bot-0999/start", null)).EnsureSuccessStatusCode();
        await Expect(last.Locator(".cell.state .badge")).ToHaveTextAsync("running");
        await Expect(last.Locator(".cell.pid")).ToHaveTextAsync(new Regex(@"^\d+$"));

        // Fifty at once (more than the page fetches one by one): the counts follow.
        await Task.WhenAll(Enumerable.Range(900, 50).Select(async i => (await api.PostAsync($"/bots/bot-{i:D4}/start", null)).EnsureSuccessStatusCode()));
        await Expect(page.Locator(".counts .count-running")).ToContainTextAsync("51");
        await page.FillAsync("#filter", "bot-09");
        await page.SelectOptionAsync("#state-filter", "running");
        await Expect(table).ToHaveAttributeAsync("aria-rowcount", "52");
        await page.SelectOptionAsync("#state-filter", "");
        await page.FillAsync("#filter", "");
        await table.EvaluateAsync("t => { t.scrollTop = t.scrollHeight - 2000; }");
        await page.WaitForTimeoutAsync(500);
        await Screenshots.SaveAsync(page, "fleet-1000");
        Assert.Empty(browser.PageErrors[page]);

        (await api.PostAsync("/shutdown", null)).EnsureSuccessStatusCode();
    }
}
