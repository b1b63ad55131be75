using System.Text;

namespace Botvisor.Dashboard;

/// <summary>
/// The dashboard's files, embedded in the binary (<c>Dashboard/Assets/</c>, logical names
/// <c>dashboard/NAME</c>) and read once at start: no file system, no CDN, the same bytes offline.
/// Each has a strong ETag, the file's FNV-1a hash.
/// </summary>
public sealed class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public sealed record Asset(string Name, byte[] Content, string ContentType, string ETag);

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[Prefix.Length..];
            var content = copy.ToArray();
            _assets[name] = new Asset(name, content, ContentType(name), "\"" + Fnv1a(content).ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + "\"");
        }
    }

    public IEnumerable<Asset> All => _assets.Values;

    /// <summary>The sum of the files' sizes, as the README states it.</summary>
    public long TotalBytes => _assets.Values.Sum(a => (long)a.Content.Length);

    public Asset? Find(string name) => _assets.GetValueOrDefault(name);

    public Asset Get(string name) => Find(name) ?? throw new InvalidOperationException($"the dashboard asset '{name}' is not embedded");

    /// <summary>An HTML file with <c>&lt;!--slot--&gt;</c> replaced by <paramref name="html"/> (already encoded).</summary>
    public string Render(string name, string slot, string html) =>
        Encoding.UTF8.GetString(Get(name).Content).Replace($"<!--{slot}-->", html, StringComparison.Ordinal);

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        ulong hash = 14695981039346656037;
        foreach (var b in data) hash = (hash ^ b) * 1099511628211;
        return hash;
    }
}
