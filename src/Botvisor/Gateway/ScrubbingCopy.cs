using System.Buffers;

namespace Botvisor.Gateway;

/// <summary>
/// Streams a Bot API answer to the worker, replacing the real token wherever it appears, plain or
/// percent-encoded (a local <c>telegram-bot-api</c> server's file paths contain it) by a string of the
/// same length (<see cref="TokenScrub"/>), so Content-Length still holds; and counts the updates a
/// getUpdates answer carries. The last <c>pattern length - 1</c> bytes of each read are held back, so a
/// token or key split between two reads is still found.
/// </summary>
internal static class ScrubbingCopy
{
    private static readonly byte[] UpdateKey = "\"update_id\":"u8.ToArray();
    private const int BufferSize = 16 * 1024;

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>; returns the number of updates seen.</summary>
    public static async Task<int> CopyAsync(Stream source, Stream destination, TokenScrub scrub, bool countUpdates, CancellationToken cancellationToken)
    {
        int keep = Math.Max(scrub.Longest, UpdateKey.Length) - 1;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize + keep);
        int updates = 0;
        try
        {
            int held = 0;
            while (true)
            {
                int read = await source.ReadAsync(buffer.AsMemory(held, BufferSize), cancellationToken).ConfigureAwait(false);
                int total = held + read;
                bool end = read == 0;
                scrub.Apply(buffer.AsSpan(0, total));
                int flush = end ? total : Math.Max(0, total - keep);
                if (countUpdates) updates += Count(buffer.AsSpan(0, total), UpdateKey, flush);
                if (flush > 0) await destination.WriteAsync(buffer.AsMemory(0, flush), cancellationToken).ConfigureAwait(false);
                if (end) return updates;
                held = total - flush;
                buffer.AsSpan(flush, held).CopyTo(buffer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Occurrences of <paramref name="key"/> in <paramref name="data"/> that start before <paramref name="before"/>.</summary>
    private static int Count(ReadOnlySpan<byte> data, byte[] key, int before)
    {
        int count = 0, at = 0;
        while (at < before)
        {
            int i = data[at..].IndexOf(key);
            if (i < 0 || at + i >= before) break;
            count++;
            at += i + key.Length;
        }
        return count;
    }
}
