using Microsoft.Playwright;

namespace Botvisor.BrowserTests.Dashboard;

/// <summary>
/// Every browser test saves what it saw: in the test output (<c>screenshots/NAME.png</c>), and with
/// <c>BOTVISOR_UPDATE_SCREENSHOTS=1</c> also in <c>docs/screenshots/</c>, the README's pictures:
/// <c>BOTVISOR_UPDATE_SCREENSHOTS=1 tests/run --filter Botvisor.BrowserTests</c>.
/// </summary>
public static class Screenshots
{
    public static async Task SaveAsync(IPage page, string name, bool fullPage = false)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage, Animations = ScreenshotAnimations.Disabled });
        if (Environment.GetEnvironmentVariable("BOTVISOR_UPDATE_SCREENSHOTS") == "1")
        {
            var docs = Path.Combine(RepositoryRoot(), "docs", "screenshots");
            Directory.CreateDirectory(docs);
            File.Copy(path, Path.Combine(docs, name + ".png"), overwrite: true);
        }
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Botvisor.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("cannot find the repository root (Botvisor.slnx) above " + AppContext.BaseDirectory);
    }
}
