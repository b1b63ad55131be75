namespace Botvisor.Testing;

/// <summary>Every wait in the tests uses one of these: generous, because CI machines are slow and busy.</summary>
public static class TestTimeouts
{
    /// <summary>A state change that should follow promptly.</summary>
    public static readonly TimeSpan Event = TimeSpan.FromSeconds(30);

    /// <summary>A daemon process starting or stopping.</summary>
    public static readonly TimeSpan Daemon = TimeSpan.FromSeconds(60);

    public static CancellationToken EventToken() => new CancellationTokenSource(Event).Token;
}
