namespace Botvisor.Core.Diagnostics;

/// <summary>
/// Event ids of every log message Botvisor writes. Tests and operators rely on ids, not message
/// text: never reuse or repurpose a number; add new ones at the end of their block.
/// </summary>
public static class LogEventIds
{
    // 1xx: daemon
    public const int DaemonStarting = 100;
    public const int DaemonStarted = 101;
    public const int DaemonStopping = 102;
    public const int DaemonStopped = 103;
    public const int ReloadRequested = 104;
    public const int ReloadApplied = 105;
    public const int ReloadRejected = 106;
    public const int FleetError = 107;
    public const int StateDirLocked = 108;
    public const int LeftoverWorkerEnded = 109;
    public const int LeftoverWorkerGone = 110;
    public const int FileDescriptorLimit = 111;
    public const int StoredBotInvalid = 112;
    public const int ApiListening = 113;
    public const int ApiWithoutAuth = 114;
    public const int ApiRequestFailed = 115;
    public const int MemoryTrimmed = 116;
    public const int SighupReclaimed = 117;
    public const int DaemonStopStepFailed = 118;

    // 2xx: supervision
    public const int StateChanged = 200;
    public const int WorkerStarted = 201;
    public const int WorkerExited = 202;
    public const int WorkerSpawnFailed = 203;
    public const int GroupSignalled = 204;
    public const int GroupKilled = 205;
    public const int OrphanReaped = 206;
    public const int SubreaperFailed = 207;
    public const int SupervisorFaulted = 208;
    public const int GroupLingering = 209;
    public const int PollingConflict = 210;
    public const int HealthChanged = 211;
    public const int ResourceLimit = 212;
    public const int CgroupLeftovers = 213;
    public const int CgroupFailed = 214;
    public const int CpuLimitNotEnforced = 215;
    public const int CgroupOutsidersSignalled = 216;
    public const int CgroupSupport = 217;
    public const int ReaperCallbackFailed = 218;
    public const int OutputFailed = 219;

    // 3xx: storage
    /// <summary>No longer written: a failing store is reported by <see cref="StoreWritesFailing"/> once per outage.</summary>
    public const int StoreWriteFailed = 300;
    public const int StoreDamaged = 301;
    /// <summary>Reserved: a newer schema is refused by <c>botvisor run</c> on stderr before logging starts.</summary>
    public const int StoreSchemaTooNew = 302;
    public const int StoreWritesFailing = 303;
    public const int StoreWritesRecovered = 304;
    public const int StoreEventsDropped = 305;
    public const int StoreWritesAbandoned = 306;
    public const int StoreSubscriberFailed = 307;
    public const int EventsPruned = 308;
    public const int EventsPruneFailed = 309;

    // 6xx: the Bot API gateway
    public const int GatewayListening = 600;
    public const int GatewayOutsidePoller = 601;
    public const int GatewayRateLimited = 602;
    public const int GatewayUpstreamFailed = 603;

    // 7xx: cluster (nodes and leases)
    public const int ClusterJoined = 700;
    public const int LeaseTaken = 701;
    public const int LeaseHandedOver = 702;
    public const int LeaseLost = 703;
    public const int SelfFenced = 704;
    public const int FencedWorkerKilled = 705;
    public const int ClusterStoreFailing = 706;
    public const int ClusterStoreRecovered = 707;
    public const int ClusterLeft = 708;
    public const int NodeDraining = 709;
    public const int GuardianStarted = 710;
    public const int GuardianFailed = 711;
    public const int FenceWatchFailed = 712;
    public const int NodeNameTaken = 713;
    public const int GuardianGaveUp = 714;
    public const int ClusterFleetPublished = 720;
    public const int ClusterFleetAdopted = 721;
    public const int ClusterFleetNotApplied = 722;
    public const int ClusterWishNotForgotten = 723;
    public const int PeerNotAnswering = 730;
    public const int PeerAnswering = 731;

    // 8xx: the admin bot and alerts
    public const int AdminBotStarted = 800;
    public const int AdminBotFailed = 801;
    public const int AdminBotUnreachable = 802;
    public const int AdminChatMigrated = 803;
    public const int AdminChatFailed = 804;
    public const int AdminRateLimited = 805;
    public const int AdminCommand = 806;
    public const int AdminRefused = 807;
    public const int AlertSent = 808;
    public const int AlertDeliveryFailed = 809;
    public const int AdminUpdateFailed = 810;
    public const int SilencesUnreadable = 811;
    public const int SilencesUnwritable = 812;

    // 9xx: remote sources (sources: in the fleet file)
    public const int SourceStoredEntryInvalid = 900;
    public const int SourceSnapshotNotDeleted = 901;
    public const int SourceRemovalHeld = 902;
    public const int SourceFetchFailing = 903;
    public const int SourceFetchRecovered = 904;
    public const int SourceFetchFailed = 905;
    public const int SourceFetched = 906;
    public const int SourceStoredBotGivesWay = 907;

    // 10xx: the web dashboard
    public const int DashboardLoginRefused = 1000;
}
