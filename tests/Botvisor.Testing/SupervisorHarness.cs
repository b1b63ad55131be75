using Botvisor.Core.Fleet;
using Botvisor.Core.Health;
using Botvisor.Core.Logs;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Core.Supervision;
using Microsoft.Extensions.Logging;

namespace Botvisor.Testing;

/// <summary>
/// Real supervision in the test process: the process-wide <see cref="ChildReaper"/>, real workers,
/// a real state service, an in-memory store and a temporary log directory.
/// </summary>
/// <remarks>A test assembly that uses this must not start processes with System.Diagnostics.Process.</remarks>
public sealed class SupervisorHarness : IAsyncDisposable
{
    private static readonly Lazy<ChildReaper> SharedReaper = new(() =>
        new ChildReaper(Microsoft.Extensions.Logging.LoggerFactory.Create(_ => { }).CreateLogger<ChildReaper>()));

    /// <param name="leases">In a cluster's shape: the node's leases are the bots' first and last start gate.</param>
    public SupervisorHarness(Core.Cgroups.CgroupTree? cgroups = null, Core.Cluster.LocalLeases? leases = null)
    {
        Cgroups = cgroups;
        Directory = System.IO.Directory.CreateTempSubdirectory("botvisor-test-").FullName;
        Logs = new ListLoggerProvider();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        Writer = new StoreWriter(Store, LoggerFactory.CreateLogger<StoreWriter>());
        Services = new SupervisorServices
        {
            Reaper = SharedReaper.Value,
            State = State,
            Store = Writer,
            Masker = Masker,
            Output = Output,
            Time = TimeProvider.System,
            LoggerFactory = LoggerFactory,
            LogDirectory = Path.Combine(Directory, "logs"),
            FleetTokens = () => Reconciler!.FleetTokens,
            Notify = NotifyRouter,
            NotifySocketPath = Path.Combine(Directory, "notify.sock"),
            HttpProbe = new PlainHttpProbe(),
            Cgroups = cgroups,
            Leases = leases,
        };
        Reconciler = new FleetReconciler(Services);
        NotifySocket = new NotifySocket(Services.NotifySocketPath, NotifyAbstractName, NotifyRouter.Find);
        Sampler = new ResourceSampler(Reconciler, TimeProvider.System, LoggerFactory.CreateLogger<ResourceSampler>());
    }

    public string Directory { get; }

    /// <summary>The cgroup tree bots with limits get their cgroup in, if the test gave one.</summary>
    public Core.Cgroups.CgroupTree? Cgroups { get; }
    public ListLoggerProvider Logs { get; }
    public ILoggerFactory LoggerFactory { get; }
    public FleetStateService State { get; } = new();
    public InMemoryFleetStore Store { get; } = new();
    public TokenMasker Masker { get; } = new();
    public OutputReader Output { get; } = new();
    public StoreWriter Writer { get; }
    public SupervisorServices Services { get; }
    public FleetReconciler Reconciler { get; }
    public NotifyRouter NotifyRouter { get; } = new();
    public NotifySocket NotifySocket { get; }
    public string NotifyAbstractName { get; } = "botvisor-test-" + Guid.NewGuid().ToString("N")[..12];
    public ResourceSampler Sampler { get; }

    /// <summary>A bot running <c>python3 -c SCRIPT</c>; the script can call <c>notify("READY=1")</c>.</summary>
    public BotSpec Python(string id, string script) => Shell(id, "") with
    {
        Command = ["python3", "-u", "-c", PythonPrelude + script],
    };

    /// <summary>sd_notify with raw datagrams, filesystem or abstract ("@…") addresses, as sd_notify(3) does it.</summary>
    public const string PythonPrelude = """
        import os, socket, sys, time
        def notify(message, address=None):
            address = address or os.environ["NOTIFY_SOCKET"]
            if address.startswith("@"):
                address = "\0" + address[1:]
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
                s.sendto(message.encode(), address)

        """;

    /// <summary>A bot running <c>sh -c SCRIPT</c>, with quick timings for tests.</summary>
    public BotSpec Shell(string id, string script) => new()
    {
        Id = id,
        Command = ["sh", "-c", script],
        WorkingDirectory = Directory,
        Backoff = new BackoffSettings(TimeSpan.FromMilliseconds(50), 2, TimeSpan.FromSeconds(1), 0),
        StopTimeout = TimeSpan.FromSeconds(10),
        MinUptime = TimeSpan.FromSeconds(30),
        Source = "test",
    };

    /// <summary>Applies specs as they are: the tests of supervision skip the controller's validation on purpose.</summary>
    public Task<FleetDiff> ApplyAsync(params BotSpec[] specs) => Reconciler.ApplyAsync(new ValidatedFleet(specs), "test");

    public BotSupervisor Bot(string id) => Reconciler.Find(id) ?? throw new InvalidOperationException($"no bot {id}");

    public Task<BotSnapshot> WaitForAsync(string id, Func<BotSnapshot, bool> predicate) =>
        State.WaitForAsync(id, predicate, TestTimeouts.EventToken());

    public Task<BotSnapshot> WaitForStateAsync(string id, BotLifecycleState state) =>
        State.WaitForStateAsync(id, [state], TestTimeouts.EventToken());

    /// <summary>Waits until the bot has printed a line matching <paramref name="predicate"/>.</summary>
    public async Task<LogLine> WaitForOutputAsync(string id, Func<string, bool> predicate)
    {
        await foreach (var line in Bot(id).Output.FollowAsync(BotLog.DefaultRingCapacity, TestTimeouts.EventToken()))
        {
            if (predicate(line.Text)) return line;
        }
        throw new TimeoutException();
    }

    public async ValueTask DisposeAsync()
    {
        await Reconciler.StopAllAsync("test finished");
        Output.Dispose();
        Cgroups?.Dispose();
        Sampler.Dispose();
        NotifySocket.Dispose();
        await Writer.DisposeAsync();
        LoggerFactory.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
