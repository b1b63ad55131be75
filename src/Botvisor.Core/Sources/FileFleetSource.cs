using Botvisor.Core.Cluster;
using Botvisor.Core.Configuration;

namespace Botvisor.Core.Sources;

/// <summary>
/// The fleet file: read when the daemon starts and on every reload (SIGHUP, <c>POST /reload</c>). Reading
/// needs nothing of the controller's, so it happens before the controller's lock: a slow or hostile
/// file never holds up the API's changes. Its bots belong to it: the API can start and stop them, not
/// replace or remove them.
/// </summary>
public sealed class FileFleetSource(string path) : IFleetSource
{
    public string Path { get; } = path;

    public string Name => Current.Settings?.SourcePath ?? Path;

    public SourceState Current { get; private set; } = SourceState.Empty;

    /// <summary>Reads and checks the file on its own; the controller then checks it with the other sources.</summary>
    public (SourceState? Next, IReadOnlyList<FleetError> Errors) Read()
    {
        var (next, errors, _) = Read(document: false);
        return (next, errors);
    }

    /// <summary>
    /// Reads and checks the file; with <paramref name="document"/>, also the part of it a cluster shares
    /// (<see cref="FleetDocument"/>: its bot sections and the values of the variables they expand).
    /// </summary>
    public (SourceState? Next, IReadOnlyList<FleetError> Errors, FleetDocument? Document) Read(bool document)
    {
        var used = document ? new Dictionary<string, string>(StringComparer.Ordinal) : null;
        var loaded = FleetLoader.LoadAndValidate(Path, used: used);
        if (!loaded.Succeeded) return (null, loaded.Errors, null);
        var fleet = loaded.Fleet!;
        FleetDocument? doc = null;
        if (used is not null && (doc = FleetDocument.Of(loaded.Text!, fleet, used, out var problem)) is null)
        {
            return (null, [new FleetError("", problem!) { File = fleet.SourcePath, Location = new SourceLocation(1, 1) }], null);
        }
        return (new SourceState(fleet.Bots, loaded.Locations, fleet), [], doc);
    }

    /// <summary>Called by the controller once the state is part of the running fleet.</summary>
    internal void Accept(SourceState state) => Current = state;
}
