using System.Net;
using System.Text.RegularExpressions;
using Botvisor.Api;
using Botvisor.Api.Auth;
using Botvisor.Api.Contracts;
using Botvisor.Api.Problems;
using Botvisor.Core.Reconciliation;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Botvisor.Dashboard;

/// <summary>
/// The web dashboard: its page at <c>/</c> and files under <c>/assets/</c>, the login form, the
/// session (<c>GET /session</c>: who and the CSRF token; <c>POST /logout</c>) and one-time login links
/// (<c>POST /login-links</c>, what <c>botvisor ui</c> asks for). The page itself reads the ordinary API
/// (<c>/status</c>, <c>/events</c>, <c>/bots/…</c>) with its session cookie.
/// </summary>
internal static partial class DashboardEndpoints
{
    /// <summary>What the page may do: its own scripts, styles and API, nothing inline, no frames, no other origin.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", Index).ExcludeFromDescription();
        app.MapGet("/assets/{name}", Asset).ExcludeFromDescription();
        app.MapGet("/login", LoginPage).ExcludeFromDescription();
        app.MapPost("/login", Login).ExcludeFromDescription();
        app.MapGet("/session", GetSession).WithName(nameof(GetSession)).RequireBotvisorApi("dashboard")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("The dashboard session this request came with: who it acts as and when it ends");
        app.MapPost("/logout", Logout).WithName(nameof(Logout)).RequireBotvisorApi("dashboard")
            .Produces(StatusCodes.Status204NoContent)
            .WithSummary("End the dashboard session of this request's cookie");
        app.MapPost("/login-links", CreateLoginLink).WithName(nameof(CreateLoginLink)).RequireBotvisorApi("dashboard")
            .Produces<LoginLinkResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("A one-time link that signs a browser in to the dashboard as the caller (used once, within 2 minutes); what `botvisor ui` prints. Not from a dashboard session");
    }

    private static IResult Index(HttpContext context, DashboardSessions sessions, DashboardAssets assets)
    {
        if (SessionAuthentication.Find(context, sessions) is null) return SeeOther(context, "login");
        return Page(context, assets.Get("index.html"));
    }

    private static IResult Asset(string name, HttpContext context, DashboardAssets assets) =>
        assets.Find(name) is { } asset && !name.EndsWith(".html", StringComparison.Ordinal) ? Send(context, asset) : Results.NotFound();

    private static IResult LoginPage(HttpContext context, DashboardAssets assets, ApiTokenMatcher tokens) =>
        LoginForm(context, assets, tokens, StatusCodes.Status200OK, null);

    private static async Task<IResult> Login(HttpContext context, DashboardSessions sessions, DashboardAssets assets, ApiTokenMatcher tokens, FleetController controller, ILoggerFactory loggers)
    {
        var request = context.Request;
        if (SessionAuthentication.FromAnotherSite(request)) return LoginForm(context, assets, tokens, StatusCodes.Status403Forbidden, "This sign-in came from another site and was refused.");
        if (!request.HasFormContentType) return LoginForm(context, assets, tokens, StatusCodes.Status415UnsupportedMediaType, "Sign in with the form on this page.");
        var form = await request.ReadFormAsync(context.RequestAborted);
        string code = form["code"].ToString(), token = form["token"].ToString();
        var log = loggers.CreateLogger("Botvisor.Dashboard");

        string actor;
        if (code.Length > 0)
        {
            if (sessions.Redeem(code) is not { } linked)
            {
                DashboardLog.LoginRefused(log, Peer(context), "a login link that is used, expired or unknown");
                return LoginForm(context, assets, tokens, StatusCodes.Status401Unauthorized, "This sign-in link is not valid: it was used already, has expired (links last 2 minutes) or is mistyped. Run `botvisor ui` for a new one.");
            }
            actor = linked;
        }
        else if (token.Length > 0)
        {
            if (!tokens.Any) return LoginForm(context, assets, tokens, StatusCodes.Status401Unauthorized, "This daemon has no API token; sign in with the link `botvisor ui` prints on its machine.");
            if (tokens.Match(token) is not { } name)
            {
                DashboardLog.LoginRefused(log, Peer(context), "a wrong API token");
                return LoginForm(context, assets, tokens, StatusCodes.Status401Unauthorized, "That API token is not valid.");
            }
            actor = "token:" + name;
        }
        else
        {
            return LoginForm(context, assets, tokens, StatusCodes.Status400BadRequest, "Enter an API token.");
        }

        var (session, cookie) = sessions.Create(actor);
        context.Response.Cookies.Append(SessionAuthentication.CookieName, cookie, SessionAuthentication.CookieOptions(request, session.ExpiresAt));
        controller.Audit(actor, "dashboard login", null, code.Length > 0 ? "signed in with a one-time link" : "signed in with a token");
        // The session's token goes to the page in the fragment (never sent to a server, not in a Referer),
        // which keeps it in its origin's storage; next= travels with it.
        return SeeOther(context, "./#k=" + Uri.EscapeDataString(session.CsrfToken) + Next(form["next"]));
    }

    private static IResult GetSession(HttpContext context) =>
        SessionAuthentication.Current(context) is { } s
            ? TypedResults.Ok(new SessionInfo(s.Actor, s.ExpiresAt))
            : ApiProblems.BadRequest("this request did not come with a dashboard session (sign in at /login)");

    private static IResult Logout(HttpContext context, DashboardSessions sessions)
    {
        if (SessionAuthentication.Current(context) is { } s) sessions.End(s);
        context.Response.Cookies.Delete(SessionAuthentication.CookieName, SessionAuthentication.CookieOptions(context.Request, null));
        return TypedResults.NoContent();
    }

    private static IResult CreateLoginLink(HttpContext context, DashboardSessions sessions, FleetController controller, IServer server)
    {
        if (SessionAuthentication.Current(context) is not null)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "a dashboard session cannot make login links; ask on the local socket (botvisor ui) or with an API token");
        }
        var actor = ApiCaller.Get(context);
        var (code, expires) = sessions.CreateCode(actor);
        var path = "login?code=" + Uri.EscapeDataString(code);
        controller.Audit(actor, "dashboard login link", null, "issued");
        return TypedResults.Created((string?)null, new LoginLinkResponse(new Uri(TcpAddress(server), path).ToString(), path, expires));
    }

    /// <summary>The daemon's TCP address as a browser on this machine reaches it (a wildcard address becomes loopback).</summary>
    private static Uri TcpAddress(IServer server)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault(a => a.StartsWith("http", StringComparison.Ordinal) && !a.Contains("unix:", StringComparison.Ordinal)) ?? "http://127.0.0.1:7070";
        var builder = new UriBuilder(address) { Path = "/" };
        if (builder.Host is "0.0.0.0") builder.Host = "127.0.0.1";
        if (builder.Host is "[::]" or "::") builder.Host = "[::1]";
        return builder.Uri;
    }

    /// <summary>303: the browser follows with a GET (after the login POST, too), to a location relative to this page.</summary>
    private static IResult SeeOther(HttpContext context, string location)
    {
        context.Response.Headers.Location = location;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IResult LoginForm(HttpContext context, DashboardAssets assets, ApiTokenMatcher tokens, int status, string? error)
    {
        var html = assets.Render("login.html", "error", error is null ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(error)}</p>")
            .Replace("<!--mode-->", tokens.Any ? "tokens" : "link-only", StringComparison.Ordinal);
        SecurityHeaders(context.Response);
        return Results.Text(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    private static IResult Page(HttpContext context, DashboardAssets.Asset asset)
    {
        SecurityHeaders(context.Response);
        return Send(context, asset);
    }

    private static IResult Send(HttpContext context, DashboardAssets.Asset asset)
    {
        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache"; // revalidated by ETag: an upgraded daemon serves its own files at once
        response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
    }

    /// <summary>Where to go after signing in (<c>&amp;next=PATH</c> for the page): a path of this site, relative (a proxy's prefix is kept), never another host.</summary>
    private static string Next(string? next) => next is { Length: > 0 } n && SafeNext().IsMatch(n) ? "&next=" + n : "";

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,30}(/(?!\\.)[a-z0-9_.-]{1,64}){0,3}$")]
    private static partial Regex SafeNext();

    private static string Peer(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
