using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace Botvisor.Cli;

/// <summary>
/// A GET to the local daemon's Unix socket without HttpClient: one HTTP/1.0 request, the response
/// read to the end of the connection. It is what <c>botvisor status</c> and <c>ls</c> do, and setting
/// up HttpClient's connection pool and async pipeline would be most of their time.
/// </summary>
internal static class UnixSocketGet
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The status code and body; throws <see cref="SocketException"/> or <see cref="IOException"/> when the daemon cannot be reached.</summary>
    public static (int Status, ArraySegment<byte> Body) Send(string socketPath, string pathAndQuery, string? token, string accept = "application/json")
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        {
            ReceiveTimeout = (int)Timeout.TotalMilliseconds,
            SendTimeout = (int)Timeout.TotalMilliseconds,
        };
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        var request = new StringBuilder().Append("GET /").Append(pathAndQuery).Append(" HTTP/1.0\r\nHost: localhost\r\nAccept: ").Append(accept).Append("\r\n");
        if (token is { Length: > 0 }) request.Append("Authorization: Bearer ").Append(token).Append("\r\n");
        socket.Send(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));

        // Uninitialized: the buffer is overwritten by what is received, and a large one would be zeroed for nothing.
        var buffer = GC.AllocateUninitializedArray<byte>(256 * 1024);
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                var larger = GC.AllocateUninitializedArray<byte>(buffer.Length * 2);
                buffer.AsSpan().CopyTo(larger);
                buffer = larger;
            }
            int n = socket.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
            if (n == 0) break;
            length += n;
        }
        return Parse(buffer, length);
    }

    /// <summary>"HTTP/1.1 200 OK\r\n…headers…\r\n\r\nbody".</summary>
    internal static (int Status, ArraySegment<byte> Body) Parse(byte[] response, int length)
    {
        var span = response.AsSpan(0, length);
        int headerEnd = span.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0 || !span.StartsWith("HTTP/1."u8) || span.Length < 12 || !Utf8Parser.TryParse(span.Slice(9, 3), out int status, out _))
        {
            throw new IOException("the daemon's answer is not an HTTP response");
        }
        return (status, new ArraySegment<byte>(response, headerEnd + 4, length - headerEnd - 4));
    }
}
