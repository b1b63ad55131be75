namespace Botvisor.Dashboard;

/// <summary>
/// The dashboard's side of authentication on TCP: which paths a browser may load before it signs in,
/// the session cookie, and the session's second secret. A browser sends a host's cookies to every port
/// of that host, so the cookie alone could reach another local user's server on the same host name;
/// the session's token (<c>X-CSRF-Token</c>) is handed to the page once, at sign-in, in the URL's
/// fragment, and kept in the origin's own storage, which no other port can read. Every request of a
/// session carries it, except the page's secret-free streams and documents (<c>/events</c>, the API
/// docs); an unsafe one (POST, PUT, PATCH, DELETE) must also not come from another site
/// (<c>Sec-Fetch-Site</c>, or <c>Origin</c> where a browser sends no Sec-Fetch-Site).
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

    /// <summary>Lets a request of <paramref name="session"/> through, or writes why not (403).</summary>
    public static Task? Refusal(HttpContext context, DashboardSession session)
    {
        var request = context.Request;
        bool unsafeMethod = IsUnsafe(request.Method);
        if (unsafeMethod && FromAnotherSite(request)) return Forbidden(context, "this request came from another site; the dashboard takes actions only from its own pages");
        if (!unsafeMethod && NeedsNoToken(request.Path)) return null;
        var presented = request.Headers[CsrfHeader].ToString();
        if (presented.Length == 0) return Forbidden(context, $"a request of a dashboard session needs the session's token in the {CsrfHeader} header (the page keeps it from the sign-in)");
        if (!session.CsrfMatches(presented)) return Forbidden(context, $"the {CsrfHeader} header does not match this session's token");
        return null;
    }

    /// <summary>
    /// What a browser reads without a script able to add a header: the event stream (EventSource; events
    /// never carry a secret) and the API docs' page and schema. Everything else needs the session's token.
    /// </summary>
    private static bool NeedsNoToken(PathString path) =>
        path.Equals("/events", StringComparison.Ordinal) || path.StartsWithSegments("/ui", StringComparison.Ordinal) || path.Equals("/schema", StringComparison.Ordinal);

    public static void Attach(HttpContext context, DashboardSession session) => context.Items[SessionKey] = session;

    /// <summary>The session the request was authenticated by (null for bearer tokens and the local socket).</summary>
    public static DashboardSession? Current(HttpContext context) => context.Items.TryGetValue(SessionKey, out var s) ? s as DashboardSession : null;

    /// <summary>A browser opening the API docs (not a script asking for data): sent to the login form instead of a 401.</summary>
    public static bool IsPageNavigation(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.Path.StartsWithSegments("/ui", StringComparison.Ordinal)
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
