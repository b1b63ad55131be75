using Botvisor.Core.Fleet;

namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// One entry of <c>sources:</c>: a platform's API that lists bots. Fetched every <see cref="Interval"/>
/// (with jitter), conditionally (ETag / Last-Modified), page by page; each item becomes a bot, by
/// <see cref="Map"/> or, without one, as a bot definition in the fleet file's keys (Botvisor's own format).
/// </summary>
public sealed record RemoteSourceConfig
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    public const double DefaultMaxRemoval = 0.10;

    public required string Name { get; init; }

    /// <summary>The first page's URL (credentials in it are masked wherever it is shown).</summary>
    public required Uri Url { get; init; }

    public TimeSpan Interval { get; init; } = DefaultInterval;
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Request headers; their values are secrets (API keys), shown as <c>****</c>.</summary>
    public IReadOnlyDictionary<string, SecretText> Headers { get; init; } = new Dictionary<string, SecretText>();

    /// <summary>The template every item's bot is made from (<c>templates:</c>); null: items carry their whole definition.</summary>
    public string? Template { get; init; }

    /// <summary>The largest share of the source's bots one fetch may remove before the removal is held (at least one bot).</summary>
    public double MaxRemoval { get; init; } = DefaultMaxRemoval;

    /// <summary>Where the list of items is in each page: a dotted path; null: the page itself (a JSON array) or its <c>bots</c>.</summary>
    public string? Items { get; init; }

    public FeedPaging Pages { get; init; } = FeedPaging.None;

    /// <summary>How an item becomes a bot; null: Botvisor's own format (each item a bot definition with <c>id</c>).</summary>
    public FeedMapping? Map { get; init; }

    public bool Equals(RemoteSourceConfig? other) =>
        other is not null && Name == other.Name && Url == other.Url && Interval == other.Interval && Timeout == other.Timeout
        && CollectionEquality.DictionaryEqual(Headers, other.Headers) && Template == other.Template
        && MaxRemoval.Equals(other.MaxRemoval) && Items == other.Items && Pages == other.Pages && Equals(Map, other.Map);

    public override int GetHashCode() => HashCode.Combine(Name, Url);

    /// <summary>The URL as it may be shown: a user name, password and the values of secret-looking query parameters masked.</summary>
    public string DisplayUrl => UrlMasking.Mask(Url);
}

/// <summary>How to get the next page: none, a field of the page with the next URL, the <c>Link</c> header, or numbered pages.</summary>
public sealed record FeedPaging
{
    public static readonly FeedPaging None = new();

    /// <summary>A dotted path to the next page's URL in each page (absent, null or empty: the last page).</summary>
    public string? NextField { get; init; }

    /// <summary>Follow <c>Link: &lt;url&gt;; rel="next"</c>.</summary>
    public bool LinkHeader { get; init; }

    /// <summary>The page-number query parameter (numbered pages).</summary>
    public string? NumberParameter { get; init; }

    /// <summary>The page-size query parameter and the size asked for.</summary>
    public string? SizeParameter { get; init; }
    public int PageSize { get; init; } = 100;

    /// <summary>The first page's number (0 or 1).</summary>
    public int FirstPage { get; init; } = 1;

    /// <summary>A dotted path to the total number of items; without it, numbered pages end at a short or empty page.</summary>
    public string? TotalField { get; init; }

    public bool Numbered => NumberParameter is not null;
}

/// <summary>
/// How a platform's item becomes a bot: dotted paths into the item for its id, token, environment
/// and whether it is enabled, and a filter (every path must equal its value; others are someone else's).
/// </summary>
public sealed record FeedMapping
{
    public required string Id { get; init; }
    public required string Token { get; init; }

    /// <summary>Variable name → dotted path; an item without the field gets no such variable.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>A dotted path to a boolean; an item where it is not true is not run.</summary>
    public string? Enabled { get; init; }

    /// <summary>Dotted path → the value it must have; an item that differs belongs to someone else and is skipped.</summary>
    public IReadOnlyDictionary<string, string> Filter { get; init; } = new Dictionary<string, string>();

    public bool Equals(FeedMapping? other) =>
        other is not null && Id == other.Id && Token == other.Token && Enabled == other.Enabled
        && CollectionEquality.DictionaryEqual(Env, other.Env) && CollectionEquality.DictionaryEqual(Filter, other.Filter);

    public override int GetHashCode() => HashCode.Combine(Id, Token, Enabled);
}
