using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Botvisor.IntegrationTests.Cluster;

/// <summary>
/// A TCP proxy the test controls, between one node and PostgreSQL: <see cref="Cut"/> drops every connection
/// and refuses new ones (the node is cut off from the database while everything else works), <see cref="Restore"/>
/// lets connections through again.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _accept;
    private volatile bool _cut;

    public TcpProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _accept = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Cut()
    {
        _cut = true;
        foreach (var socket in _open.Keys) Close(socket);
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (_cut)
            {
                client.Dispose();
                continue;
            }
            _ = Task.Run(() => PipeAsync(client));
        }
    }

    private async Task PipeAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
        }
        catch (Exception)
        {
            client.Dispose();
            server.Dispose();
            return;
        }
        _open[client] = 0;
        _open[server] = 0;
        await Task.WhenAny(CopyAsync(client, server), CopyAsync(server, client));
        Close(client);
        Close(server);
    }

    private async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0 || _cut) return;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception)
        {
        }
    }

    private void Close(Socket socket)
    {
        if (!_open.TryRemove(socket, out _)) return;
        try
        {
            socket.Close(0); // a reset: as a broken network link looks to the node
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _open.Keys) Close(socket);
        await _accept;
        _stop.Dispose();
    }
}
