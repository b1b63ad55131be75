using System.CommandLine;
using Botvisor.Core.Supervision;

namespace Botvisor.Cli.Commands;

/// <summary>
/// <c>botvisor guard --mark M</c> (hidden; started by a cluster node, see <see cref="Hosting.WorkerGuardian"/>): waits for
/// EOF on stdin, the daemon's end of the pipe closing, then kills the process group of every process carrying the mark.
/// </summary>
internal static class GuardCommand
{
    private const int SIGKILL = 9;

    public static Command Create()
    {
        var mark = new Option<string>("--mark") { Required = true, Description = "The daemon's worker mark (BOTVISOR_STATE_ID)" };
        var command = new Command("guard", "Kill a node's workers when its daemon dies (started by the daemon)") { Hidden = true };
        command.Options.Add(mark);
        command.SetAction(parse =>
        {
            using (var stdin = Console.OpenStandardInput())
            {
                var buffer = new byte[64];
                while (stdin.Read(buffer) > 0)
                {
                }
            }
            return KillMarked(parse.GetValue(mark)!);
        });
        return command;
    }

    /// <summary>Kills every marked process's group, again until none is left (a worker may fork while it is killed); at most 20 rounds.</summary>
    private static int KillMarked(string mark)
    {
        for (int round = 0; round < 20; round++)
        {
            var found = WorkerMarks.Find(mark);
            if (found.Count == 0) return ExitCodes.Ok;
            foreach (var p in found)
            {
                ProcessGroup.Signal(p.Session, SIGKILL);
                ProcessGroup.SignalProcess(p.Pid, SIGKILL);
            }
            Thread.Sleep(20);
        }
        return ExitCodes.Failed;
    }
}
