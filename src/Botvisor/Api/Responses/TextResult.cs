using System.Text;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Botvisor.Api.Responses;

/// <summary>
/// A <c>text/plain</c> answer built in memory, encoded to UTF-8 straight into the response's pipe and
/// flushed once (the table of a thousand bots is one write, as <see cref="BufferedJsonResult{T}"/> is for JSON).
/// An endpoint that may answer with it says so with <see cref="ApiConventions.AlsoProducesText"/>.
/// </summary>
internal sealed class TextResult(StringBuilder text) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public const string MediaType = "text/plain";

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "text/plain; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        var writer = response.BodyWriter;
        foreach (var chunk in text.GetChunks())
        {
            var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length));
            writer.Advance(Encoding.UTF8.GetBytes(chunk.Span, span));
        }
        await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// <paramref name="value"/> as JSON, or as the text <paramref name="render"/> writes when the request
    /// prefers <c>text/plain</c>; <paramref name="lines"/> sizes the text's buffer once.
    /// </summary>
    public static Results<BufferedJsonResult<T>, TextResult> JsonOrText<T>(HttpRequest request, T value, JsonTypeInfo<T> typeInfo, int lines, Action<StringBuilder> render)
    {
        if (!IsWanted(request)) return new BufferedJsonResult<T>(value, typeInfo);
        var text = new StringBuilder(Text.StatusText.RowChars * lines);
        render(text);
        return new TextResult(text);
    }

    /// <summary>Whether the request's Accept header prefers plain text to JSON (JSON is the default: <c>*/*</c>, none).</summary>
    private static bool IsWanted(HttpRequest request)
    {
        double text = 0, json = 0;
        foreach (var media in request.GetTypedHeaders().Accept)
        {
            double quality = media.Quality ?? 1;
            if (media.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase)) text = Math.Max(text, quality);
            else if (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)) json = Math.Max(json, quality);
        }
        return text > json;
    }
}
