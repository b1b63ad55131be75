using Microsoft.Playwright;

namespace Botvisor.BrowserTests.Dashboard;

/// <summary>
/// Debian's chromium, headless, driven by Playwright: the driver ships in the NuGet package and no
/// browser is downloaded (BOTVISOR_CHROMIUM overrides /usr/bin/chromium). One browser per test class;
/// each test gets a fresh context (no cookies carried over).
/// </summary>
public sealed class BrowserSession : IAsyncLifetime
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("BOTVISOR_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser is not started");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: tests/run installs Debian's chromium (apt-get install chromium), or set BOTVISOR_CHROMIUM");
        }
        Assertions.SetDefaultExpectTimeout((float)Testing.TestTimeouts.Event.TotalMilliseconds);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // As root (CI) chromium needs --no-sandbox; the pages it opens are the test's own.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A new browser context (a desktop window by default, light scheme) and its page.</summary>
    public async Task<IPage> NewPageAsync(int width = 1440, int height = 860, ColorScheme scheme = ColorScheme.Light, bool mobile = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = scheme,
            IsMobile = mobile,
            HasTouch = mobile,
            DeviceScaleFactor = 1,
        });
        context.SetDefaultTimeout((float)Testing.TestTimeouts.Event.TotalMilliseconds);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        // Console errors too (a Content-Security-Policy violation is one); a refused request the test
        // itself makes (401, 403) is reported as "Failed to load resource" and is not the page's fault.
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) errors.Add(m.Text);
        };
        PageErrors[page] = errors;
        return page;
    }

    /// <summary>Script and console errors of the page (a test ends by asserting there were none).</summary>
    public Dictionary<IPage, List<string>> PageErrors { get; } = [];

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
