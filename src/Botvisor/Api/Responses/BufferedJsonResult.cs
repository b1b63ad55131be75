using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace Botvisor.Api.Responses;

/// <summary>
/// Writes a large JSON answer in one synchronous pass into the response's pipe, then flushes once.
/// <c>Results.Json</c> serializes asynchronously and flushes every few kilobytes, and each flush of a
/// 400 KB <c>/status</c> resumed on the thread pool: half the request's time went to those round trips.
/// The answer is built before serialization starts, so nothing here waits on I/O. Give it the type
/// info of <see cref="Contracts.ApiJsonContext"/>, whose options are the API's.
/// </summary>
internal sealed class BufferedJsonResult<T>(T value, JsonTypeInfo<T> typeInfo) : IResult, IValueHttpResult, IValueHttpResult<T>, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    public T Value { get; } = value;

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json; charset=utf-8";

    /// <summary>Describes the answer as <c>Ok&lt;T&gt;</c> does, for the OpenAPI document.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        var writer = response.BodyWriter;
        using (var json = new Utf8JsonWriter(writer, new JsonWriterOptions { Encoder = typeInfo.Options.Encoder, SkipValidation = true }))
        {
            // The source-generated type info with its context's own options: System.Text.Json then takes
            // the generated fast path, not the metadata-driven converters.
            JsonSerializer.Serialize(json, Value, typeInfo);
        }
        await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }
}
