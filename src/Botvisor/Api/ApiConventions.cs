using Botvisor.Api.Problems;
using Microsoft.OpenApi;

namespace Botvisor.Api;

/// <summary>What every Botvisor endpoint shares: problem-details mapping, their OpenAPI description and a tag.</summary>
internal static class ApiConventions
{
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Bot definitions may come as JSON or YAML (and from curl's default form type, which is read as text).</summary>
    public const string DefinitionContentType = "application/json";

    public static readonly string[] DefinitionContentTypes =
        ["application/yaml", "application/x-yaml", "text/yaml", "text/plain", "application/x-www-form-urlencoded"];

    public static RouteHandlerBuilder RequireBotvisorApi(this RouteHandlerBuilder builder, string tag) => builder
        .AddEndpointFilter<ProblemFilter>()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .WithTags(tag);

    /// <summary>
    /// Adds <c>text/plain</c> (a string) beside the JSON of the 200 answer in the OpenAPI document, for an
    /// endpoint that renders a <see cref="Responses.TextResult"/> when asked. Two response metadata for one
    /// status would replace each other there.
    /// </summary>
    public static RouteHandlerBuilder AlsoProducesText(this RouteHandlerBuilder builder, string description) => builder
        .WithDescription(description)
        .AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content is { } content)
            {
                content[Responses.TextResult.MediaType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }
            return Task.CompletedTask;
        });

    /// <summary>Reads a request body as text, refusing bodies over <see cref="MaxBodyBytes"/>.</summary>
    public static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes) throw new RequestBodyTooLargeException($"the body has {request.ContentLength} bytes; at most {MaxBodyBytes} are accepted");
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + n > MaxBodyBytes) throw new RequestBodyTooLargeException($"the body is larger than {MaxBodyBytes} bytes");
            buffer.Write(chunk, 0, n);
        }
        if (buffer.Length == 0) throw new Core.Configuration.FleetValidationException([new Core.Configuration.FleetError("$", "the request has no body; send the bot as JSON or YAML")]);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
