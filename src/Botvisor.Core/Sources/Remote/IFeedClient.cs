using Botvisor.Core.Fleet;

namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// One GET of a source's page (implemented over HTTP in the executable). Conditional when validators are
/// given; the body is read up to <see cref="FeedRequest.MaxBytes"/>. Connection errors, timeouts and a body
/// past the limit throw <see cref="FeedException"/> (with the URL masked); any status is returned.
/// </summary>
public interface IFeedClient
{
    Task<FeedResponse> GetAsync(FeedRequest request, CancellationToken cancellationToken);
}

public sealed record FeedRequest(Uri Url, IReadOnlyDictionary<string, SecretText> Headers, string? ETag, string? LastModified, TimeSpan Timeout, long MaxBytes);

/// <param name="Status">The HTTP status code.</param>
/// <param name="NextLink">The target of a <c>Link: &lt;…&gt;; rel="next"</c> header, if any.</param>
public sealed record FeedResponse(int Status, byte[] Body, string? ETag, string? LastModified, string? NextLink);
