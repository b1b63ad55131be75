namespace Botvisor.Dashboard;

internal static partial class DashboardLog
{
    /// <summary>A refused sign-in goes to the daemon's log, not the event log: anyone who reaches the port could fill that.</summary>
    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.DashboardLoginRefused, Level = LogLevel.Warning, Message = "Dashboard sign-in from {Peer} refused: {Reason}")]
    public static partial void LoginRefused(ILogger logger, string peer, string reason);
}
