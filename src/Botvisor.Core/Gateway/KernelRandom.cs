using Microsoft.Win32.SafeHandles;

namespace Botvisor.Core.Gateway;

/// <summary>
/// Cryptographically secure randomness straight from the kernel (<c>/dev/urandom</c>), for placeholder tokens.
/// Not <see cref="System.Security.Cryptography.RandomNumberGenerator"/>: on Linux that loads OpenSSL, whose
/// libcrypto pages and heap (about 4 MiB resident) a daemon whose gateway forwards to a plain http://
/// <c>telegram-bot-api</c> server would otherwise never need.
/// </summary>
public static class KernelRandom
{
    private static readonly Lazy<SafeFileHandle> Source = new(() => File.OpenHandle("/dev/urandom", FileMode.Open, FileAccess.Read));

    public static void Fill(Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(Source.Value, buffer, fileOffset: 0);
            if (read <= 0) throw new IOException("/dev/urandom gave no bytes");
            buffer = buffer[read..];
        }
    }

    /// <summary>A uniformly chosen integer in [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>).</summary>
    public static int GetInt32(int fromInclusive, int toExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(toExclusive, fromInclusive);
        uint range = (uint)(toExclusive - fromInclusive);
        uint limit = uint.MaxValue - ((uint.MaxValue % range) + 1) % range; // the largest multiple of range, less one
        Span<byte> bytes = stackalloc byte[4];
        while (true)
        {
            Fill(bytes);
            uint value = BitConverter.ToUInt32(bytes);
            if (value <= limit) return (int)(fromInclusive + value % range);
        }
    }

    /// <summary><paramref name="length"/> items, each chosen uniformly from <paramref name="choices"/> (at most 256 of them).</summary>
    public static T[] GetItems<T>(ReadOnlySpan<T> choices, int length)
    {
        ArgumentOutOfRangeException.ThrowIfZero(choices.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(choices.Length, 256);
        int usable = 256 - 256 % choices.Length; // bytes at or above this would favour the first choices
        var items = new T[length];
        Span<byte> bytes = stackalloc byte[64];
        int filled = 0;
        while (filled < length)
        {
            Fill(bytes);
            foreach (byte b in bytes)
            {
                if (b >= usable) continue;
                items[filled++] = choices[b % choices.Length];
                if (filled == length) break;
            }
        }
        return items;
    }
}
