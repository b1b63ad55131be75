namespace Botvisor.Core.Alerts;

/// <summary>What the classifier reads in an event, for the engine.</summary>
public abstract record AlertSignal
{
    private AlertSignal()
    {
    }

    /// <summary>A problem began (or is still there).</summary>
    public sealed record Fire(AlertKey Key, string Reason, long? EventId = null) : AlertSignal;

    /// <summary>A problem is over.</summary>
    public sealed record Resolve(AlertKey Key, string Reason) : AlertSignal;

    /// <summary>A bot's health turned unhealthy: an alert once it lasts <c>unhealthy_after</c>.</summary>
    public sealed record UnhealthyBegan(string BotId, string Reason, long? EventId = null) : AlertSignal;

    /// <summary>A bot's state changed: its health matters only while it runs.</summary>
    public sealed record StateChanged(string BotId, bool Running) : AlertSignal;

    /// <summary>A bot was restarted after a crash: counted for restart storms.</summary>
    public sealed record Restarted(string BotId, string Reason) : AlertSignal;
}
