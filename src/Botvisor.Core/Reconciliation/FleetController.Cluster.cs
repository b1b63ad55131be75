using Botvisor.Core.Cluster;
using Botvisor.Core.Configuration;
using Botvisor.Core.Sources;
using Botvisor.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Reconciliation;

/// <summary>
/// In a cluster the fleet file's bots are not the node's own: they are the cluster's desired state, one
/// <see cref="FleetDocument"/> in the store that every node runs. A node's file becomes it by the rule of
/// <see cref="FleetPublishing"/> (the last file a person applied wins); otherwise the node runs the cluster's
/// bots with its own file's node settings (API, admin bot, alerts), and follows every new generation.
/// Every path is the same as a reload's: read, validate with every other source, store, diff, apply.
/// </summary>
public sealed partial class FleetController
{
    private readonly IClusterFleetStore? _clusterFleet;
    private volatile PublishedFleet? _clusterApplied;
    private volatile string? _fileDigest;
    private SourceState? _localFile;
    private FleetDocument? _localDocument;
    private long _failedGeneration;

    /// <summary>The cluster's fleet this node runs (null before the first apply, and on one node).</summary>
    public PublishedFleet? ClusterFleet => _clusterApplied;

    /// <summary>What this node's heartbeat says of its fleet: the generation it runs and its own file's digest.</summary>
    public FleetMark Mark => new(_clusterApplied?.Generation ?? 0, _fileDigest ?? "");

    /// <summary>What to do with the file: the state to validate, and what to store once it is valid.</summary>
    private sealed record ClusterPlan(FleetChoice Choice, SourceState State, SourceState Local, FleetDocument File, PublishedFleet? Cluster);

    /// <summary>Decides (reading the store) whether the file is published or the cluster's fleet run instead; errors when the cluster's cannot be.</summary>
    private async Task<(ClusterPlan? Plan, IReadOnlyList<FleetError> Errors)> PlanClusterAsync(SourceState local, FleetDocument file, bool reload)
    {
        PublishedFleet? cluster;
        string? mine;
        try
        {
            cluster = await _clusterFleet!.ReadFleetAsync().ConfigureAwait(false);
            mine = await _clusterFleet.LastPublishedByAsync(_clusterFleet.Node).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            return (null, [new FleetError("", $"the cluster's fleet could not be read: {ex.Message}") { File = file.Path }]);
        }
        var choice = FleetPublishing.Decide(file.Digest, cluster?.Document.Digest, mine, reload);
        if (choice != FleetChoice.Adopt) return (new ClusterPlan(choice, local, local, file, cluster), []);
        var (state, errors) = ReadClusterFleet(cluster!, local);
        return state is null ? (null, errors) : (new ClusterPlan(choice, state, local, file, cluster), []);
    }

    /// <summary>The cluster's bots with this node's own settings; errors (prefixed with which fleet) when they do not read here.</summary>
    private static (SourceState? State, IReadOnlyList<FleetError> Errors) ReadClusterFleet(PublishedFleet cluster, SourceState local)
    {
        var read = cluster.Document.Read(cluster.Document.Path);
        if (!read.Succeeded)
        {
            var why = new FleetError("", $"the cluster's fleet (generation {cluster.Generation}, published by node {cluster.Node}) does not read on this node; fix it and reload on any node, or change this node's file and restart it to publish that one instead");
            return (null, [why, .. read.Errors]);
        }
        var shared = read.Fleet!;
        var settings = local.Settings! with
        {
            Defaults = shared.Defaults,
            Templates = shared.Templates,
            Sources = shared.Sources,
            Bots = shared.Bots,
            BaseDirectory = shared.BaseDirectory,
            SourcePath = shared.SourcePath,
        };
        return (new SourceState(shared.Bots, read.Locations, settings), []);
    }

    /// <summary>Stores what the plan says (a publication), under the gate once the state is valid; returns what to say of it.</summary>
    private async Task<string?> CommitClusterPlanAsync(ClusterPlan plan)
    {
        var applied = plan.Cluster;
        string? said = null;
        if (plan.Choice == FleetChoice.Publish)
        {
            applied = await _clusterFleet!.PublishFleetAsync(plan.File, _clusterFleet.Node).ConfigureAwait(false);
            said = $"published to the cluster as its fleet (generation {applied.Generation})";
            Log.FleetPublished(_logger, plan.File.Path, applied.Generation);
        }
        else if (plan.Choice == FleetChoice.Adopt && applied!.Generation != _clusterApplied?.Generation)
        {
            said = $"runs the cluster's fleet (generation {applied.Generation}, published by node {applied.Node}); this node's file differs: `botvisor reload` here makes it the cluster's";
            Log.FleetAdopted(_logger, applied.Generation, applied.Node, plan.File.Path);
        }
        _clusterApplied = applied;
        _fileDigest = plan.File.Digest;
        _localFile = plan.Local;
        _localDocument = plan.File;
        _failedGeneration = 0;
        return said;
    }

    /// <summary>
    /// Follows the cluster's fleet: when another node published a new generation, it is read and applied here
    /// through the same validation; one that does not apply here leaves the node on its generation (which shows
    /// in <c>botvisor nodes</c>, and keeps the others from placing bots here), said once.
    /// </summary>
    public async Task<FleetDiff?> SyncClusterFleetAsync(string actor)
    {
        if (_clusterFleet is null) return null;
        var cluster = await _clusterFleet.ReadFleetAsync().ConfigureAwait(false); // before the lock
        if (cluster is null || cluster.Generation == _clusterApplied?.Generation || cluster.Generation == Interlocked.Read(ref _failedGeneration)) return null;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_file is null || _localFile is null || _localDocument is null || cluster.Generation == _clusterApplied?.Generation) return null;
            const string reason = "the cluster's fleet changed";
            IReadOnlyList<FleetError> errors;
            FleetApplyResult? result = null;
            if (cluster.Document.Digest == _localDocument.Digest)
            {
                result = await ApplyFileStateAsync(_file, _localFile, new ClusterPlan(FleetChoice.Same, _localFile, _localFile, _localDocument, cluster), actor, reason).ConfigureAwait(false);
                errors = result.Errors;
            }
            else
            {
                var (state, readErrors) = ReadClusterFleet(cluster, _localFile);
                errors = readErrors;
                if (state is not null)
                {
                    result = await ApplyFileStateAsync(_file, state, new ClusterPlan(FleetChoice.Adopt, state, _localFile, _localDocument, cluster), actor, reason).ConfigureAwait(false);
                    errors = result.Errors;
                }
            }
            if (result is { Succeeded: true }) return result.Diff;
            Interlocked.Exchange(ref _failedGeneration, cluster.Generation);
            Log.FleetNotApplied(_logger, cluster.Generation, cluster.Node, _clusterApplied?.Generation ?? 0, string.Join("; ", errors.Take(5)));
            Audit(actor, reason, null, $"rejected: the cluster's fleet generation {cluster.Generation} (from node {cluster.Node}) does not apply on this node ({errors.Count} error(s)); it keeps generation {_clusterApplied?.Generation ?? 0}");
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterFleetPublished, Level = LogLevel.Information, Message = "{Path} was published as the cluster's fleet (generation {Generation}): every node runs it")]
        public static partial void FleetPublished(ILogger logger, string path, long generation);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterFleetAdopted, Level = LogLevel.Warning,
            Message = "This node runs the cluster's fleet (generation {Generation}, published by node {Node}), not {Path}, which differs; `botvisor reload` on this node makes this node's file the cluster's")]
        public static partial void FleetAdopted(ILogger logger, long generation, string node, string path);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterFleetNotApplied, Level = LogLevel.Error,
            Message = "The cluster's fleet generation {Generation} (published by node {Node}) does not apply on this node, which keeps generation {Kept} and takes no new bots: {Errors}")]
        public static partial void FleetNotApplied(ILogger logger, long generation, string node, long kept, string errors);
    }
}

/// <summary>A node's fleet as its heartbeat tells it: the cluster's generation it runs, and its own file's digest.</summary>
public sealed record FleetMark(long Generation, string File);
