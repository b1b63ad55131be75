using System.Runtime.InteropServices;
using System.Text;
using Botvisor.Core.Native;

namespace Botvisor.Core.Configuration;

/// <summary>
/// Reads a configuration file with a size cap: only a regular file (a device such as /dev/zero, a FIFO
/// or a directory is refused before it is opened, so nothing blocks or reads forever), and never more
/// than the cap, even when the file grows while it is read.
/// </summary>
public static class BoundedFile
{
    /// <summary>Returns the text, or null and a sentence saying why not (without the path: the caller names the file).</summary>
    public static unsafe string? TryReadText(string path, long maxBytes, out string? error)
    {
        error = null;
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            error = "the path contains a NUL character";
            return null;
        }
        LibC.Statx st;
        if (LibC.statx(LibC.AT_FDCWD, path, 0, LibC.STATX_TYPE | LibC.STATX_SIZE, &st) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            error = errno == LibC.ENOENT ? "no such file" : Marshal.GetPInvokeErrorMessage(errno).ToLowerInvariant();
            return null;
        }
        int type = st.stx_mode & LibC.S_IFMT;
        if (type != LibC.S_IFREG)
        {
            error = type == LibC.S_IFDIR ? "it is a directory, not a regular file" : "it is not a regular file (a device, FIFO or socket)";
            return null;
        }
        if ((long)st.stx_size > maxBytes)
        {
            error = $"the file has {st.stx_size:N0} bytes, larger than the limit of {Limit(maxBytes)}";
            return null;
        }
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
            var buffer = new byte[Math.Min(maxBytes + 1, Math.Max((long)st.stx_size + 1, 4096))];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        error = $"the file is larger than the limit of {Limit(maxBytes)}";
                        return null;
                    }
                    Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1, (long)buffer.Length * 2));
                }
                int n = stream.Read(buffer, length, buffer.Length - length);
                if (n == 0) break;
                length += n;
            }
            if (length > maxBytes)
            {
                error = $"the file is larger than the limit of {Limit(maxBytes)}";
                return null;
            }
            return Decode(buffer, length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            return null;
        }
    }

    /// <summary>As <see cref="File.ReadAllText(string)"/> decodes: UTF-8 unless a byte order mark says otherwise; invalid bytes become U+FFFD.</summary>
    private static string Decode(byte[] bytes, int length)
    {
        using var reader = new StreamReader(new MemoryStream(bytes, 0, length, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    public static string Limit(long bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} bytes";
}
