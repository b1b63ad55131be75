using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// Fetches a source's whole list, page by page: conditionally (each page's ETag and Last-Modified from
/// the last good fetch), following the source's paging, within limits (pages, items, bytes), and only
/// to the source's own origin (its headers carry credentials). Any failure fails the whole fetch with a
/// reason; the caller keeps its last good list. Pages that answered 304 are read from the last fetch.
/// </summary>
public sealed class FeedFetcher(IFeedClient client)
{
    public const int MaxPages = 1_000;
    public const int MaxItems = 20_000;
    public const long MaxPageBytes = 16 * 1024 * 1024;
    public const long MaxListBytes = 64 * 1024 * 1024;

    /// <summary>The pages of the last good fetch, by URL, with their validators.</summary>
    private Dictionary<string, CachedPage> _cache = new(StringComparer.Ordinal);

    public async Task<FeedFetch> FetchAsync(RemoteSourceConfig source, CancellationToken cancellationToken)
    {
        var pages = new List<CachedPage>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var next = source.Pages.Numbered ? NumberedUrl(source, source.Pages.FirstPage) : source.Url;
        int itemsRead = 0;
        long bytes = 0;
        long? total = null;
        bool allNotModified = true;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (next is not null)
        {
            int number = pages.Count + 1;
            if (number > MaxPages) throw new FeedException($"the list has more than {MaxPages} pages");
            if (!visited.Add(next.AbsoluteUri)) throw new FeedException($"page {number} ({UrlMasking.Mask(next)}) was already read: the pages go round in a loop");
            if (!SameOrigin(source.Url, next)) throw new FeedException($"page {number} would be read from {UrlMasking.Mask(next)}, another origin than the source's; its headers are not sent elsewhere");

            _cache.TryGetValue(next.AbsoluteUri, out var cached);
            var response = await client.GetAsync(new FeedRequest(next, source.Headers, cached?.ETag, cached?.LastModified, source.Timeout, MaxPageBytes), cancellationToken).ConfigureAwait(false);
            CachedPage page;
            if (response.Status == 304 && cached is not null)
            {
                page = cached;
            }
            else if (response.Status == 200)
            {
                allNotModified = false;
                page = new CachedPage(next, response.Body, response.ETag, response.LastModified, response.NextLink);
            }
            else
            {
                throw new FeedException(response.Status == 304
                    ? $"page {number} ({UrlMasking.Mask(next)}) answered 304 Not Modified to a request that was not conditional"
                    : $"page {number} ({UrlMasking.Mask(next)}) answered HTTP {response.Status}{Advice(response.Status)}");
            }
            pages.Add(page);
            hash.AppendData(page.Body);
            bytes += page.Body.Length;
            if (bytes > MaxListBytes) throw new FeedException($"the list's pages hold more than {MaxListBytes / (1024 * 1024)} MiB");

            using var json = Parse(page.Body, number, next);
            var items = FeedReader.Items(source, json.RootElement, number);
            int count = items.GetArrayLength();
            itemsRead += count;
            if (itemsRead > MaxItems) throw new FeedException($"the list has more than {MaxItems} items");
            next = NextPage(source, json.RootElement, page, number, count, itemsRead, ref total);
        }
        if (total is { } t && itemsRead < t) throw new FeedException($"the list says it has {t} items but its pages gave {itemsRead}");
        return new FeedFetch(pages, allNotModified, Convert.ToHexString(hash.GetHashAndReset()));
    }

    /// <summary>Called once a fetch has been taken in: its pages are what the next fetch asks conditionally against.</summary>
    public void Commit(FeedFetch fetch) => _cache = fetch.Pages.ToDictionary(p => p.Url.AbsoluteUri, StringComparer.Ordinal);

    /// <summary>Forgets the cached pages (the source's definition changed).</summary>
    public void Reset() => _cache = new(StringComparer.Ordinal);

    private static JsonDocument Parse(byte[] body, int number, Uri url)
    {
        try
        {
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new FeedException($"page {number} ({UrlMasking.Mask(url)}) is not valid JSON: line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}");
        }
    }

    private static Uri? NextPage(RemoteSourceConfig source, JsonElement root, CachedPage page, int number, int count, int itemsRead, ref long? total)
    {
        var paging = source.Pages;
        if (paging.NextField is { } field)
        {
            var text = JsonPath.Text(root, field);
            return string.IsNullOrEmpty(text) ? null : Resolve(page.Url, text, number);
        }
        if (paging.LinkHeader) return page.NextLink is { Length: > 0 } link ? Resolve(page.Url, link, number) : null;
        if (!paging.Numbered) return null;
        if (paging.TotalField is { } totalField)
        {
            total ??= JsonPath.Integer(root, totalField) ?? throw new FeedException($"page {number} has no total at '{totalField}'");
            if (total < 0) throw new FeedException($"page {number} gives a negative total ({total})");
            if (itemsRead >= total) return null;
            if (count == 0) throw new FeedException($"page {number} has no items, but the list says it has {total} and {itemsRead} were read: a page is missing");
        }
        else if (count < paging.PageSize)
        {
            return null;
        }
        return NumberedUrl(source, paging.FirstPage + number);
    }

    private static Uri Resolve(Uri current, string next, int number) =>
        Uri.TryCreate(current, next, out var url) && url.Scheme is "http" or "https" ? url
            : throw new FeedException($"page {number} gives a next page that is not an http(s) URL");

    /// <summary>The source's URL with the page number (and size) set, other parameters kept.</summary>
    public static Uri NumberedUrl(RemoteSourceConfig source, int page)
    {
        var paging = source.Pages;
        var builder = new UriBuilder(source.Url);
        var query = builder.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !IsParameter(p, paging.NumberParameter!) && (paging.SizeParameter is null || !IsParameter(p, paging.SizeParameter)))
            .ToList();
        query.Add(Uri.EscapeDataString(paging.NumberParameter!) + "=" + page.ToString(CultureInfo.InvariantCulture));
        if (paging.SizeParameter is { } size) query.Add(Uri.EscapeDataString(size) + "=" + paging.PageSize.ToString(CultureInfo.InvariantCulture));
        builder.Query = string.Join('&', query);
        return builder.Uri;
    }

    private static bool IsParameter(string pair, string name)
    {
        int eq = pair.IndexOf('=', StringComparison.Ordinal);
        return Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]) == name;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static string Advice(int status) => status switch
    {
        401 or 403 => " (check the source's headers: its credentials were refused)",
        404 => " (check the source's url)",
        429 => " (the platform asks to slow down; retried with backoff)",
        >= 500 => " (the platform's error; retried with backoff)",
        _ => "",
    };
}

/// <summary>One page as it was read: its URL, body and validators.</summary>
public sealed record CachedPage(Uri Url, byte[] Body, string? ETag, string? LastModified, string? NextLink);

/// <summary>A whole list as fetched: its pages, whether every page answered 304, and a hash of all their bodies.</summary>
public sealed record FeedFetch(IReadOnlyList<CachedPage> Pages, bool NotModified, string Hash)
{
    /// <summary>Every item of every page, in order (each page parsed again: the fetch keeps bytes, not trees).</summary>
    public FeedExtract Read(RemoteSourceConfig source)
    {
        var documents = new List<JsonDocument>();
        try
        {
            var items = new List<JsonElement>();
            for (int i = 0; i < Pages.Count; i++)
            {
                var doc = JsonDocument.Parse(Pages[i].Body, new JsonDocumentOptions { MaxDepth = 64 });
                documents.Add(doc);
                items.AddRange(FeedReader.Items(source, doc.RootElement, i + 1).EnumerateArray());
            }
            return FeedReader.Read(source, items);
        }
        finally
        {
            foreach (var d in documents) d.Dispose();
        }
    }
}
