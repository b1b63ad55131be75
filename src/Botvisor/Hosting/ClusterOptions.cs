using Botvisor.Core.Cluster;

namespace Botvisor.Hosting;

/// <summary>How this daemon takes part in a cluster.</summary>
/// <param name="Store">The PostgreSQL connection (a URL or Npgsql's form; holds a password: never logged).</param>
/// <param name="Node">This node's name.</param>
/// <param name="Advertise">The API address other nodes reach this node at; null: the bound listen address.</param>
/// <param name="Timing">The lease's timing.</param>
public sealed record ClusterOptions(string Store, string Node, string? Advertise, ClusterTiming Timing);
