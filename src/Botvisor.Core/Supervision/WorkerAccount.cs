using System.Globalization;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Supervision;

/// <summary>
/// The account a bot's worker runs as when its <c>user:</c> or <c>group:</c> is set: its uid, gid and
/// supplementary groups (the user's, as a login gets them; none when only a group is given).
/// </summary>
public sealed record WorkerAccount(Accounts.User? User, uint Uid, uint Gid)
{
    /// <summary>The account of <paramref name="spec"/>; null when it runs as the daemon. Throws <see cref="SpawnException"/> when an account is gone.</summary>
    public static WorkerAccount? For(BotSpec spec)
    {
        if (spec.User is null && spec.Group is null) return null;
        Accounts.User? user = null;
        if (spec.User is { } name)
        {
            user = Accounts.FindUser(name) ?? throw new SpawnException($"cannot start the worker: no user '{name}' on this machine", 0);
        }
        uint gid = spec.Group is { } group
            ? Accounts.FindGroup(group) ?? throw new SpawnException($"cannot start the worker: no group '{group}' on this machine", 0)
            : user?.Gid ?? 0;
        if (WorkerCommand.Setpriv is null) throw new SpawnException("cannot start the worker as another account: util-linux's setpriv is not installed", 0);
        return new WorkerAccount(user, user?.Uid ?? Accounts.EffectiveUid, gid);
    }

    /// <summary>The worker runs as another user than the daemon, which cannot reach the daemon's 0700 state directory.</summary>
    public bool IsOtherUser => Uid != Accounts.EffectiveUid;

    public IReadOnlyList<string> SetprivArgv() =>
    [
        WorkerCommand.Setpriv!,
        "--reuid=" + Uid.ToString(CultureInfo.InvariantCulture),
        "--regid=" + Gid.ToString(CultureInfo.InvariantCulture),
        User is { HasEntry: true } && Gid == User.Gid ? "--init-groups" : "--clear-groups",
        "--",
    ];
}
