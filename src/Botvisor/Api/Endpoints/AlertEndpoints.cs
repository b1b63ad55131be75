using Botvisor.Api.Auth;
using Botvisor.Api.Contracts;
using Botvisor.Core.Alerts;
using Botvisor.Core.Configuration;

namespace Botvisor.Api.Endpoints;

internal static class AlertEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/alerts", GetAlerts).WithName(nameof(GetAlerts)).RequireBotvisorApi("alerts")
            .WithSummary("The open alerts and the silences in force");
        app.MapPost("/alerts/silences", Mute).WithName(nameof(Mute)).RequireBotvisorApi("alerts")
            .Accepts<SilenceRequest>("application/json")
            .Produces<SilenceInfo>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Silence the alerts of a bot (target: its id), of a kind (kind:NAME), of one kind of one bot (ID/NAME) or of everything (*), for a duration");
        app.MapDelete("/alerts/silences/{target}", Unmute).WithName(nameof(Unmute)).RequireBotvisorApi("alerts")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("End the silences of a target (404 when there is none)");
    }

    private static AlertsResponse GetAlerts(AlertCenter alerts)
    {
        var silences = alerts.Silences;
        return new AlertsResponse(
            alerts.Open.Select(a => new AlertInfo(a.Key.Kind.Name(), a.Key.Subject, a.Reason, a.StartedAt, silences.Any(s => s.Matches(a.Key)))).ToList(),
            silences.Select(ToInfo).ToList());
    }

    private static async Task<IResult> Mute(HttpContext context, AlertCenter alerts)
    {
        var body = await ApiConventions.ReadBodyAsync(context.Request, context.RequestAborted);
        SilenceRequest? request;
        try
        {
            request = System.Text.Json.JsonSerializer.Deserialize(body, ApiJsonContext.Default.SilenceRequest);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return Invalid("$", "the body is not a JSON object such as {\"target\": \"crashy\", \"duration\": \"1h\"}: " + ex.Message);
        }
        if (!TryTarget(request?.Target, out var target, out var kind, out var invalid)) return invalid;
        if (request?.Duration is not { } text || !DurationParser.TryParse(text, out var duration, out _) || duration <= TimeSpan.Zero || duration > FleetFileLoader.LongestDuration)
        {
            return Invalid("duration", $"expected a duration such as 30m or 1h, at most {DurationParser.Format(FleetFileLoader.LongestDuration)}", request?.Duration);
        }
        var silence = alerts.Mute(target, kind, duration, ApiCaller.Get(context));
        return TypedResults.Created("/alerts", ToInfo(silence));
    }

    private static IResult Unmute(string target, HttpContext context, AlertCenter alerts)
    {
        if (!TryTarget(target, out var t, out var kind, out var invalid)) return invalid;
        int n = alerts.Unmute(t, kind, ApiCaller.Get(context));
        return n == 0 ? Problems.ApiProblems.NotFound($"nothing is muted for '{target}'") : TypedResults.Ok(new UnmuteResponse(n));
    }

    private static bool TryTarget(string? text, out string target, out AlertKind? kind, out IResult invalid)
    {
        invalid = Results.Empty;
        target = "";
        kind = null;
        if (text is null)
        {
            invalid = Invalid("target", "expected a bot id, kind:NAME, ID/NAME or *");
            return false;
        }
        if (Silence.TryParseTarget(text, out target, out kind, out var error)) return true;
        invalid = Invalid("target", error!, text);
        return false;
    }

    private static IResult Invalid(string field, string message, string? value = null) =>
        Problems.ApiProblems.Invalid([new FleetError(field, message) { Value = value }], "The silence is invalid");

    private static SilenceInfo ToInfo(Silence s) => new(s.Target, s.Kind?.Name(), s.Until, s.By, s.Describe());
}
