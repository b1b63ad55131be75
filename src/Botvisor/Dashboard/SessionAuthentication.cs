namespace Botvisor.Dashboard;

/// <summary>
/// The dashboard's side of authentication on TCP: which paths a browser may load before it signs in,
/// the session cookie, and the CSRF rules for requests a session makes. A session's unsafe request
/// (POST, PUT, PATCH, DELETE) needs the session's token in <c>X-CSRF-Token</c> and must not come from
/// another site (<c>Sec-Fetch-Site</c>, or <c>Origin</c> where a browser sends no Sec-Fetch-Site).
/// </summary>
public static class SessionAuthentication
{
    public const string CookieName = "botvisor_session";
    public const string CsrfHeader = "X-CSRF-Token";
    private const string SessionKey = "botvisor.session";

    /// <summary>The page's files and the login form: no data in them, so anyone who reaches the port may load them.</summary>
    public static bool IsPublic(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        bool read = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        return (read && (path is "/" || path.StartsWith("/assets/", StringComparison.Ordinal) || path is "/login"))
            || (HttpMethods.IsPost(request.Method) && path is "/login");
    }

    /// <summary>The session the request's cookie names, or null.</summary>
    public static DashboardSession? Find(HttpContext context, DashboardSessions sessions) =>
        context.Request.Cookies.TryGetValue(CookieName, out var value) ? sessions.Find(value) : null;

    /// <summary>
    /// Lets a request of <paramref name="session"/> through, or writes why not (403). Safe methods need
    /// nothing more: SameSite=Strict keeps the cookie off other sites' requests, and what they answer
    /// cannot be read across origins (no CORS).
    /// </summary>
    public static Task? Refusal(HttpContext context, DashboardSession session)
    {
        if (!IsUnsafe(context.Request.Method)) return null;
        if (FromAnotherSite(context.Request)) return Forbidden(context, "this request came from another site; the dashboard takes actions only from its own pages");
        var presented = context.Request.Headers[CsrfHeader].ToString();
        if (presented.Length == 0) return Forbidden(context, $"an action of a dashboard session needs its CSRF token in the {CsrfHeader} header (GET /session has it)");
        if (!session.CsrfMatches(presented)) return Forbidden(context, $"the {CsrfHeader} header does not match this session's CSRF token");
        return null;
    }

    public static void Attach(HttpContext context, DashboardSession session) => context.Items[SessionKey] = session;

    /// <summary>The session the request was authenticated by (null for bearer tokens and the local socket).</summary>
    public static DashboardSession? Current(HttpContext context) => context.Items.TryGetValue(SessionKey, out var s) ? s as DashboardSession : null;

    /// <summary>A browser opening a page (not a script asking for data): sent to the login form instead of a 401.</summary>
    public static bool IsPageNavigation(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
        && request.Headers["Sec-Fetch-Mode"].ToString() is "" or "navigate";

    /// <summary>The login form's address relative to the request, so that a reverse proxy's path prefix is kept.</summary>
    public static string LoginRedirect(HttpRequest request)
    {
        var path = (request.Path.Value ?? "/").TrimStart('/');
        var up = string.Concat(Enumerable.Repeat("../", path.Count(c => c == '/')));
        return up + "login" + (path.Length == 0 ? "" : "?next=" + Uri.EscapeDataString(path));
    }

    public static bool FromAnotherSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is not ("same-origin" or "none");
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return false; // not a browser's cross-origin request: browsers send Origin on those
        return !Uri.TryCreate(origin, UriKind.Absolute, out var o) || !string.Equals(o.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsUnsafe(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>HttpOnly, SameSite=Strict, Path=/; Secure when the browser reached us over HTTPS (directly or through a proxy that says so).</summary>
    public static CookieOptions CookieOptions(HttpRequest request, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = IsHttps(request),
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    public static bool IsHttps(HttpRequest request) =>
        request.IsHttps || string.Equals(request.Headers["X-Forwarded-Proto"].ToString(), "https", StringComparison.OrdinalIgnoreCase);

    private static Task Forbidden(HttpContext context, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail).ExecuteAsync(context);
}
