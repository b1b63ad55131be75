using Botvisor.Core.Configuration;

namespace Botvisor.Api.Problems;

/// <summary>RFC 9457 problem details, written the same way everywhere.</summary>
internal static class ApiProblems
{
    public static Task Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail).ExecuteAsync(context);
    }

    public static IResult NotFound(string detail) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static IResult Conflict(string detail) => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static IResult TooLarge(string detail) => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: detail);

    /// <summary>503: the change could not be stored (a full disk); nothing was changed, and the same request may work later.</summary>
    public static IResult StoreUnavailable(string detail) => Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The state could not be stored; nothing was changed", detail: detail);

    public static IResult BadRequest(string detail) => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);

    /// <summary>400 with <c>errors</c> keyed by field path; each message names the value and, in a file, the line and column.</summary>
    /// <remarks>
    /// <c>problems</c> has each error once, as <c>botvisor validate</c> prints it
    /// (<c>file:line:column: path: message (value: '…')</c>), for clients that print rather than map fields.
    /// </remarks>
    public static IResult Invalid(IReadOnlyList<FleetError> errors, string title = "The bot definition is invalid")
    {
        var byField = errors
            .GroupBy(e => e.Path.Length == 0 ? "$" : e.Path)
            .ToDictionary(g => g.Key, g => g.Select(Describe).ToArray());
        var lines = errors.Select(e => e.ToString()).ToArray();
        return Results.ValidationProblem(byField, detail: string.Join("; ", lines), title: title,
            extensions: new Dictionary<string, object?> { ["problems"] = lines });
    }

    private static string Describe(FleetError e)
    {
        var where = e.Location is { } l ? $"line {l.Line}, column {l.Column}: " : "";
        return where + e.Message + (e.Value is null ? "" : $" (value: '{e.Value}')");
    }
}
