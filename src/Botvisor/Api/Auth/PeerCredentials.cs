using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;

namespace Botvisor.Api.Auth;

/// <summary>The Unix user on the other end of a Unix-domain socket (SO_PEERCRED), named from /etc/passwd.</summary>
internal static class PeerCredentials
{
    private const int SOL_SOCKET = 1;
    private const int SO_PEERCRED = 17;

    public static string? Describe(Socket socket)
    {
        Span<byte> cred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, cred) < 12) return null;
        }
        catch (SocketException)
        {
            return null;
        }
        uint uid = BinaryPrimitives.ReadUInt32LittleEndian(cred[4..]);
        return UserName(uid) ?? "uid " + uid.ToString(CultureInfo.InvariantCulture);
    }

    private static string? UserName(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var u) && u == uid) return fields[0];
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}
