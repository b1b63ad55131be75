using System.Globalization;
using System.Runtime.InteropServices;

namespace Botvisor.Core.Supervision;

/// <summary>
/// Looks up users and groups the way the system does (getpwnam_r/getgrnam_r, so NSS sources such as
/// LDAP count), for a bot's <c>user:</c> and <c>group:</c>. A name or a number is accepted, as systemd's
/// <c>User=</c> does.
/// </summary>
public static unsafe partial class Accounts
{
    /// <summary>A user account: what a worker running as it gets.</summary>
    public sealed record User(string Name, uint Uid, uint Gid, string Home, string Shell, bool HasEntry = true);

    /// <summary>The effective user id of this process.</summary>
    public static uint EffectiveUid => geteuid();

    /// <summary>The user named (or numbered) <paramref name="nameOrId"/>; null when there is none.</summary>
    public static User? FindUser(string nameOrId)
    {
        if (string.IsNullOrEmpty(nameOrId) || nameOrId.Contains('\0', StringComparison.Ordinal)) return null;
        bool numeric = uint.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out uint uid);
        Passwd pwd;
        Passwd* result = null;
        byte[] buffer = new byte[16 * 1024];
        fixed (byte* buf = buffer)
        {
            int rc = numeric
                ? getpwuid_r(uid, &pwd, buf, (nuint)buffer.Length, &result)
                : getpwnam_r(nameOrId, &pwd, buf, (nuint)buffer.Length, &result);
            if (rc != 0 || result is null)
            {
                // A number with no passwd entry is still a valid id (as with systemd's User=); it gets no home.
                return numeric ? new User(nameOrId, uid, uid, "/", "/bin/sh", HasEntry: false) : null;
            }
            return new User(
                Marshal.PtrToStringUTF8((nint)pwd.Name) ?? nameOrId, pwd.Uid, pwd.Gid,
                Marshal.PtrToStringUTF8((nint)pwd.Dir) ?? "/", Marshal.PtrToStringUTF8((nint)pwd.Shell) ?? "/bin/sh");
        }
    }

    /// <summary>The id of the group named (or numbered) <paramref name="nameOrId"/>; null when there is none.</summary>
    public static uint? FindGroup(string nameOrId)
    {
        if (string.IsNullOrEmpty(nameOrId) || nameOrId.Contains('\0', StringComparison.Ordinal)) return null;
        if (uint.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid)) return gid;
        Group grp;
        Group* result = null;
        byte[] buffer = new byte[64 * 1024];
        fixed (byte* buf = buffer)
        {
            int rc = getgrnam_r(nameOrId, &grp, buf, (nuint)buffer.Length, &result);
            return rc == 0 && result is not null ? grp.Gid : null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public byte* Name;
        public byte* Password;
        public uint Uid;
        public uint Gid;
        public byte* Gecos;
        public byte* Dir;
        public byte* Shell;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Group
    {
        public byte* Name;
        public byte* Password;
        public uint Gid;
        public byte** Members;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int getpwnam_r(string name, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);

    [LibraryImport("libc")]
    private static partial int getpwuid_r(uint uid, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int getgrnam_r(string name, Group* grp, byte* buf, nuint buflen, Group** result);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
