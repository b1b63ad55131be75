using System.Text;
using Botvisor.Core.Fleet;
using Botvisor.Core.Sources.Remote;

namespace Botvisor.Core.Tests.Sources;

/// <summary>Paging, conditional requests and limits, against a scripted platform.</summary>
public class FeedFetcherTests
{
    private sealed class Platform : IFeedClient
    {
        public Dictionary<string, FeedResponse> Pages { get; } = new(StringComparer.Ordinal);
        public List<FeedRequest> Requests { get; } = [];

        public Task<FeedResponse> GetAsync(FeedRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            if (!Pages.TryGetValue(request.Url.AbsoluteUri, out var page)) return Task.FromResult(new FeedResponse(404, [], null, null, null));
            if (page.ETag is not null && request.ETag == page.ETag) return Task.FromResult(new FeedResponse(304, [], page.ETag, null, null));
            return Task.FromResult(page);
        }

        public void Page(string url, string body, string? etag = null, string? link = null) =>
            Pages[new Uri(url).AbsoluteUri] = new FeedResponse(200, Encoding.UTF8.GetBytes(body), etag, null, link);
    }

    private static RemoteSourceConfig Source(FeedPaging pages, string url = "https://api.example.com/v1/replicas?integration=telegram") =>
        new() { Name = "s", Url = new Uri(url), Items = "items", Pages = pages, Headers = new Dictionary<string, SecretText> { ["X-Key"] = new("k") } };

    private static readonly FeedPaging Numbered = new() { NumberParameter = "page_index", SizeParameter = "page_size", PageSize = 2, FirstPage = 1, TotalField = "total" };

    private static string Items(int n, int total) => $"{{\"items\": [{string.Join(",", Enumerable.Range(0, n).Select(i => "{}"))}], \"total\": {total}}}";

    [Fact]
    public async Task NumberedPages_AreReadUntilTheTotal_WithTheSourcesHeaders()
    {
        var platform = new Platform();
        platform.Page("https://api.example.com/v1/replicas?integration=telegram&page_index=1&page_size=2", Items(2, 5), "\"p1\"");
        platform.Page("https://api.example.com/v1/replicas?integration=telegram&page_index=2&page_size=2", Items(2, 5), "\"p2\"");
        platform.Page("https://api.example.com/v1/replicas?integration=telegram&page_index=3&page_size=2", Items(1, 5), "\"p3\"");
        var fetcher = new FeedFetcher(platform);
        var source = Source(Numbered);

        var fetch = await fetcher.FetchAsync(source, default);
        Assert.Equal(3, fetch.Pages.Count);
        Assert.False(fetch.NotModified);
        Assert.All(platform.Requests, r => Assert.Equal("k", r.Headers["X-Key"].Reveal()));
        Assert.All(platform.Requests, r => Assert.Null(r.ETag));
        fetcher.Commit(fetch);

        platform.Requests.Clear();
        var again = await fetcher.FetchAsync(source, default);
        Assert.True(again.NotModified);
        Assert.Equal(fetch.Hash, again.Hash);
        Assert.Equal(["\"p1\"", "\"p2\"", "\"p3\""], platform.Requests.Select(r => r.ETag));
    }

    [Fact]
    public async Task APageMissing_OrShortOfTheTotal_FailsTheWholeFetch()
    {
        var platform = new Platform();
        platform.Page("https://api.example.com/v1/replicas?integration=telegram&page_index=1&page_size=2", Items(2, 5));
        var ex = await Assert.ThrowsAsync<FeedException>(() => new FeedFetcher(platform).FetchAsync(Source(Numbered), default));
        Assert.Contains("page 2", ex.Message);
        Assert.Contains("HTTP 404", ex.Message);

        platform.Page("https://api.example.com/v1/replicas?integration=telegram&page_index=2&page_size=2", Items(0, 5));
        ex = await Assert.ThrowsAsync<FeedException>(() => new FeedFetcher(platform).FetchAsync(Source(Numbered), default));
        Assert.Contains("a page is missing", ex.Message);
    }

    [Fact]
    public async Task NextField_AndLinkHeader_AreFollowed_ButNeverToAnotherOrigin_OrRoundInALoop()
    {
        var platform = new Platform();
        platform.Page("https://x.test/bots", "{\"items\": [{}], \"next\": \"/bots?page=2\"}");
        platform.Page("https://x.test/bots?page=2", "{\"items\": [{}], \"next\": null}");
        var fetch = await new FeedFetcher(platform).FetchAsync(Source(new FeedPaging { NextField = "next" }, "https://x.test/bots"), default);
        Assert.Equal(2, fetch.Pages.Count);

        platform.Page("https://x.test/linked", "{\"items\": []}", link: "https://x.test/linked?p=2");
        platform.Page("https://x.test/linked?p=2", "{\"items\": []}");
        Assert.Equal(2, (await new FeedFetcher(platform).FetchAsync(Source(new FeedPaging { LinkHeader = true }, "https://x.test/linked"), default)).Pages.Count);

        platform.Page("https://x.test/evil", "{\"items\": [], \"next\": \"https://attacker.test/steal\"}");
        var ex = await Assert.ThrowsAsync<FeedException>(() => new FeedFetcher(platform).FetchAsync(Source(new FeedPaging { NextField = "next" }, "https://x.test/evil"), default));
        Assert.Contains("another origin", ex.Message);
        Assert.DoesNotContain(platform.Requests, r => r.Url.Host == "attacker.test");

        platform.Page("https://x.test/loop", "{\"items\": [], \"next\": \"/loop\"}");
        ex = await Assert.ThrowsAsync<FeedException>(() => new FeedFetcher(platform).FetchAsync(Source(new FeedPaging { NextField = "next" }, "https://x.test/loop"), default));
        Assert.Contains("loop", ex.Message);
    }

    [Theory]
    [InlineData("{\"items\": [", "not valid JSON")]
    [InlineData("[1, 2]", "no list of items")]
    public async Task AnUnreadablePage_FailsTheFetch(string body, string message)
    {
        var platform = new Platform();
        platform.Page("https://x.test/bots", body);
        var ex = await Assert.ThrowsAsync<FeedException>(() => new FeedFetcher(platform).FetchAsync(Source(FeedPaging.None, "https://x.test/bots"), default));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void UrlsAreShownWithCredentialsMasked()
    {
        Assert.Equal("https://****:****@x.test/bots?api_key=****&page=1&token=****",
            UrlMasking.Mask(new Uri("https://me:pw@x.test/bots?api_key=abc&page=1&token=xyz")));
        Assert.Equal("https://x.test/bots", UrlMasking.Mask(new Uri("https://x.test/bots")));
    }
}
