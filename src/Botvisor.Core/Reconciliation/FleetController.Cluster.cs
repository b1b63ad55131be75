using Botvisor.Core.Cluster;
using Botvisor.Core.Configuration;
using Botvisor.Core.Sources;
using Botvisor.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Reconciliation;

/// <summary>
/// In a cluster the fleet file's bots are not the node's own: they are the cluster's desired state, one
/// <see cref="FleetDocument"/> in the store that every node runs. A node's file becomes it by the rule of
/// <see cref="FleetPublishing"/> (the last file a person changed wins); otherwise the node runs the cluster's
/// bots with its own file's node settings (API, admin bot, alerts), and follows every new generation.
/// Every path is the same as a reload's: read, validate with every other source, store, diff, apply.
/// </summary>
public sealed partial class FleetController
{
    private readonly IClusterFleetStore? _clusterFleet;
    private volatile PublishedFleet? _clusterApplied;
    private SourceState? _localFile;
    private volatile FleetDocument? _localDocument;
    private long _failedGeneration;

    /// <summary>The cluster's fleet this node runs (null before the first apply, and on one node).</summary>
    public PublishedFleet? ClusterFleet => _clusterApplied;

    /// <summary>What this node's heartbeat says of its fleet: the generation it runs and its own file's digest.</summary>
    public FleetMark Mark => new(_clusterApplied?.Generation ?? 0, _localDocument?.Digest ?? "");

    /// <summary>The cluster's fleet as the store has it now (its header: generation, who, when); null on one node or before any.</summary>
    public Task<PublishedFleet?> ReadClusterFleetHeaderAsync() => _clusterFleet?.ReadFleetHeaderAsync() ?? Task.FromResult<PublishedFleet?>(null);

    /// <summary>What to do with the file: the state to validate, and what to store once it is valid.</summary>
    /// <param name="FromFile">The node read its own file (a start or a reload), rather than following the cluster.</param>
    private sealed record ClusterPlan(FleetChoice Choice, SourceState State, SourceState Local, FleetDocument File, PublishedFleet? Cluster, bool FromFile, bool NameTaken);

    /// <summary>Decides (reading the store) whether the file is published or the cluster's fleet run instead; errors when the cluster's cannot be.</summary>
    private async Task<(ClusterPlan? Plan, IReadOnlyList<FleetError> Errors)> PlanClusterAsync(SourceState local, FleetDocument file, bool publish)
    {
        PublishedFleet? cluster;
        string? lastRead;
        bool nameTaken;
        try
        {
            cluster = await _clusterFleet!.ReadFleetAsync().ConfigureAwait(false);
            lastRead = await _clusterFleet.LastReadAsync().ConfigureAwait(false);
            nameTaken = await _clusterFleet.NameTakenAsync().ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            return (null, [new FleetError("", $"the cluster's fleet could not be read: {ex.Message}") { File = file.Path }]);
        }
        // A daemon with a live node's name publishes nothing (it takes no bots either, see ClusterCoordinator).
        var choice = nameTaken && cluster is not null
            ? (cluster.Document.Digest == file.Digest ? FleetChoice.Same : FleetChoice.Adopt)
            : FleetPublishing.Decide(file.Digest, cluster?.Document.Digest, lastRead, publish);
        if (choice != FleetChoice.Adopt) return (new ClusterPlan(choice, local, local, file, cluster, FromFile: true, nameTaken), []);
        var (state, errors) = ReadClusterFleet(cluster!, local);
        return state is null ? (null, errors) : (new ClusterPlan(choice, state, local, file, cluster, FromFile: true, nameTaken), []);
    }

    /// <summary>The cluster's bots with this node's own settings; errors (prefixed with which fleet) when they do not read here.</summary>
    private static (SourceState? State, IReadOnlyList<FleetError> Errors) ReadClusterFleet(PublishedFleet cluster, SourceState local)
    {
        var read = cluster.Document.Read(cluster.Document.Path);
        if (!read.Succeeded)
        {
            var why = new FleetError("", $"the cluster's fleet (generation {cluster.Generation}, published by node {cluster.Node}) does not read on this node; fix it where it was published and reload there (or edit this node's file and reload it here, which publishes this node's)");
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

    /// <summary>Stores what the plan says (a publication, or the file as read), under the gate once the state is valid; returns what to say of it.</summary>
    private async Task<string?> CommitClusterPlanAsync(ClusterPlan plan)
    {
        var applied = plan.Cluster;
        string? said = null;
        if (plan.Choice == FleetChoice.Publish)
        {
            applied = await _clusterFleet!.PublishFleetAsync(plan.File).ConfigureAwait(false);
            said = $"published to the cluster as its fleet (generation {applied.Generation})";
            Log.FleetPublished(_logger, plan.File.Path, applied.Generation);
        }
        else
        {
            if (plan.FromFile && !plan.NameTaken) await _clusterFleet!.RecordReadAsync(plan.File.Digest).ConfigureAwait(false);
            if (plan.Choice == FleetChoice.Adopt && (plan.FromFile || applied!.Generation != _clusterApplied?.Generation))
            {
                said = $"runs the cluster's fleet (generation {applied!.Generation}, published by node {applied.Node}); this node's file differs: edit it and reload, or `botvisor reload --publish`, to make it the cluster's";
                Log.FleetAdopted(_logger, applied.Generation, applied.Node, plan.File.Path);
            }
        }
        _clusterApplied = applied;
        _localFile = plan.Local;
        _localDocument = plan.File;
        Interlocked.Exchange(ref _failedGeneration, 0);
        return said;
    }

    /// <summary>
    /// Follows the cluster's fleet: when another node published generation <paramref name="generation"/>, it is
    /// read and applied here through the same validation (the publisher's file wins over a clashing bot of the
    /// API or a source, as at a start); one that does not apply here leaves the node on its generation, said once,
    /// and is tried again when this node's file or the API's bots change.
    /// </summary>
    public async Task<FleetDiff?> SyncClusterFleetAsync(string actor, long generation)
    {
        if (_clusterFleet is null || generation == _clusterApplied?.Generation || generation == Interlocked.Read(ref _failedGeneration)) return null;
        var cluster = await _clusterFleet.ReadFleetAsync().ConfigureAwait(false); // before the lock
        if (cluster is null || cluster.Generation == _clusterApplied?.Generation) return null;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_file is null || _localFile is null || _localDocument is null || cluster.Generation == _clusterApplied?.Generation) return null;
            const string reason = "the cluster's fleet changed";
            // The cluster's fleet is this node's own file again (say after a reload elsewhere went back to it), or another's.
            var (state, errors) = cluster.Document.Digest == _localDocument.Digest ? (_localFile, []) : ReadClusterFleet(cluster, _localFile);
            FleetApplyResult? result = null;
            if (state is not null)
            {
                var choice = ReferenceEquals(state, _localFile) ? FleetChoice.Same : FleetChoice.Adopt;
                result = await ApplyFileStateAsync(_file, state, new ClusterPlan(choice, state, _localFile, _localDocument, cluster, FromFile: false, NameTaken: false), actor, reason, fileWins: true).ConfigureAwait(false);
                errors = result.Errors;
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

    /// <summary>A generation that did not apply here is tried again (something it clashed with may be gone).</summary>
    private void RetryClusterFleet() => Interlocked.Exchange(ref _failedGeneration, 0);

    /// <summary>A bot that left the desired state forgets what a person asked of it (added again later, it starts as new).</summary>
    private async Task ForgetWishesAsync(FleetDiff diff)
    {
        if (_clusterFleet is null) return;
        foreach (var bot in diff.Removed)
        {
            try
            {
                await _clusterFleet.SetWishAsync(bot, null, "").ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex)
            {
                Log.WishNotForgotten(_logger, bot, ex.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterFleetPublished, Level = LogLevel.Information, Message = "{Path} was published as the cluster's fleet (generation {Generation}): every node runs it")]
        public static partial void FleetPublished(ILogger logger, string path, long generation);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterFleetAdopted, Level = LogLevel.Warning,
            Message = "This node runs the cluster's fleet (generation {Generation}, published by node {Node}), not {Path}, which differs; edit it and reload, or `botvisor reload --publish`, to make it the cluster's")]
        public static partial void FleetAdopted(ILogger logger, long generation, string node, string path);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterFleetNotApplied, Level = LogLevel.Error,
            Message = "The cluster's fleet generation {Generation} (published by node {Node}) does not apply on this node, which keeps generation {Kept} and hands its bots to the nodes that run the newest: {Errors}")]
        public static partial void FleetNotApplied(ILogger logger, long generation, string node, long kept, string errors);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.ClusterWishNotForgotten, Level = LogLevel.Warning,
            Message = "Bot {BotId} left the fleet, but what a person asked of it (started or stopped) could not be forgotten in the cluster's store: {Reason}")]
        public static partial void WishNotForgotten(ILogger logger, string botId, string reason);
    }
}

/// <summary>A node's fleet as its heartbeat tells it: the cluster's generation it runs, and its own file's digest.</summary>
public sealed record FleetMark(long Generation, string File);
