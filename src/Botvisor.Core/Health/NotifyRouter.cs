using System.Collections.Concurrent;

namespace Botvisor.Core.Health;

/// <summary>Which bot leads which session, so sd_notify datagrams reach the right supervisor.</summary>
public sealed class NotifyRouter
{
    private readonly ConcurrentDictionary<int, Action<NotifyMessage>> _bySession = new();

    public void Register(int session, Action<NotifyMessage> handler) => _bySession[session] = handler;

    public void Unregister(int session) => _bySession.TryRemove(session, out _);

    public Action<NotifyMessage>? Find(int session) => _bySession.GetValueOrDefault(session);
}
