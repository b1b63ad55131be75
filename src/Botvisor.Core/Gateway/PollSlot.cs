namespace Botvisor.Core.Gateway;

/// <summary>
/// One getUpdates per token in flight, ever (the slot is the token's <see cref="GatewayLine"/>'s, whatever bot id
/// the run is of). A newer getUpdates of the token's live run supersedes an older one
/// still in flight (its client gave up and asked again): the older one's upstream call is cancelled
/// before the newer one is sent, and its caller is answered as Telegram would, with 409. Runs that have
/// ended never get here (their placeholder is refused), and their polls in flight were cancelled when
/// they ended, so a restart never makes two polls of one token meet at Telegram.
/// </summary>
public sealed class PollSlot
{
    private readonly Lock _lock = new();
    private PollTicket? _current;

    public bool InFlight
    {
        get
        {
            lock (_lock) return _current is not null;
        }
    }

    /// <summary>
    /// Takes the slot for a getUpdates of <paramref name="run"/>; the ticket's token ends with the run or when
    /// superseded. Null when the run is no longer the token's live one (it was revoked after its placeholder
    /// was checked): it must not supersede the poll of the run that replaced it.
    /// </summary>
    public PollTicket? Enter(GatewayRun run)
    {
        PollTicket? older;
        PollTicket ticket;
        lock (_lock)
        {
            if (!run.IsLive || run.Line.Current != run) return null;
            ticket = new PollTicket(this, run);
            older = _current;
            _current = ticket;
        }
        older?.Supersede();
        return ticket;
    }

    internal void Exit(PollTicket ticket)
    {
        lock (_lock)
        {
            if (_current == ticket) _current = null;
        }
    }
}

/// <summary>The slot held by one getUpdates; disposing it gives the slot back.</summary>
public sealed class PollTicket : IDisposable
{
    private readonly PollSlot _slot;
    private readonly CancellationTokenSource _cancel;
    private volatile bool _superseded;

    internal PollTicket(PollSlot slot, GatewayRun run)
    {
        _slot = slot;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(run.Ended);
    }

    /// <summary>Cancelled when the run ends or a newer getUpdates takes the slot.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>A newer getUpdates of the same run took the slot.</summary>
    public bool Superseded => _superseded;

    internal void Supersede()
    {
        _superseded = true;
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It had just finished.
        }
    }

    public void Dispose()
    {
        _slot.Exit(this);
        _cancel.Dispose();
    }
}
