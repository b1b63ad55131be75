using System.Globalization;

namespace Botvisor.Hosting;

/// <summary>
/// One daemon per state directory: an exclusive OS lock (flock, taken by .NET for
/// <see cref="FileShare.None"/>) on <c>daemon.lock</c>. The kernel releases it when the daemon dies,
/// however it dies, so a stale lock never blocks a restart.
/// </summary>
public sealed class StateDirectoryLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _pidFile;

    private StateDirectoryLock(FileStream @lock, string pidFile)
    {
        _lock = @lock;
        _pidFile = pidFile;
    }

    public static StateDirectoryLock Acquire(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory, StateDirectoryPermissions.Directory);
        var lockPath = Path.Combine(stateDirectory, "daemon.lock");
        var pidPath = Path.Combine(stateDirectory, "daemon.pid");
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, UnixCreateMode = StateDirectoryPermissions.File });
        }
        catch (IOException)
        {
            string holder = "";
            try
            {
                holder = File.ReadAllText(pidPath).Trim();
            }
            catch (IOException)
            {
            }
            throw new StateDirectoryLockedException(
                $"another botvisor daemon{(holder.Length > 0 ? $" (pid {holder})" : "")} is already running on the state directory {stateDirectory}; " +
                "stop it first (botvisor shutdown, or SIGTERM), or give this one another --state-dir");
        }
        File.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return new StateDirectoryLock(stream, pidPath);
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_pidFile);
        }
        catch (IOException)
        {
        }
        _lock.Dispose();
    }
}

public sealed class StateDirectoryLockedException(string message) : Exception(message);
