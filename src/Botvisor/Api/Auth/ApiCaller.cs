namespace Botvisor.Api.Auth;

/// <summary>Who made a request, as the audit log names them: <c>token:NAME</c>, <c>unix:USER</c> or <c>loopback</c>.</summary>
public static class ApiCaller
{
    private const string Key = "botvisor.caller";

    public static void Set(HttpContext context, string actor) => context.Items[Key] = actor;

    public static string Get(HttpContext context) => context.Items.TryGetValue(Key, out var a) && a is string s ? s : "anonymous";
}
