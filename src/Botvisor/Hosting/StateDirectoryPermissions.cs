namespace Botvisor.Hosting;

/// <summary>
/// The state directory holds what other users must not read: API-added bots' tokens in the database
/// (and its WAL), bots' output, the control socket. It is made <c>0700</c> and what is in it
/// <c>0600</c> (directories <c>0700</c>) before the daemon writes anything, an existing directory
/// included, so an upgrade from a version that left files <c>0644</c> closes them too. The database
/// file is created <c>0600</c> before SQLite opens it, because SQLite gives its <c>-wal</c> and
/// <c>-shm</c> files the database file's mode.
/// </summary>
public static class StateDirectoryPermissions
{
    public const UnixFileMode Directory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates or closes the state directory; returns what could not be changed (not ours, a read-only mount), for a warning.</summary>
    public static IReadOnlyList<string> Secure(string stateDirectory, string databasePath)
    {
        var problems = new List<string>();
        System.IO.Directory.CreateDirectory(stateDirectory, Directory);
        Restrict(stateDirectory, Directory, problems);
        foreach (var entry in new DirectoryInfo(stateDirectory).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true, MaxRecursionDepth = 2 }))
        {
            if (entry.LinkTarget is not null) continue; // never follow a link out of the directory
            if (entry is DirectoryInfo) Restrict(entry.FullName, Directory, problems);
            else if ((entry.UnixFileMode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0) Restrict(entry.FullName, entry.UnixFileMode & File, problems);
        }
        if (!System.IO.File.Exists(databasePath))
        {
            using var created = new FileStream(databasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = File });
        }
        return problems;
    }

    private static void Restrict(string path, UnixFileMode mode, List<string> problems)
    {
        try
        {
            if (System.IO.File.GetUnixFileMode(path) != mode) System.IO.File.SetUnixFileMode(path, mode);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{path}: {ex.Message}");
        }
    }
}
