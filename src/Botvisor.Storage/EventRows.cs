using System.Data.Common;
using Botvisor.Core.State;

namespace Botvisor.Storage;

/// <summary>The event log's row as both stores read it: <c>id, time_ms, kind, bot_id, state, message, actor, epoch</c>, in that order.</summary>
internal static class EventRows
{
    public const string Columns = "id, time_ms, kind, bot_id, state, message, actor, epoch";

    public static BotEvent Read(DbDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        Kind = reader.GetString(2),
        BotId = reader.IsDBNull(3) ? null : reader.GetString(3),
        State = reader.IsDBNull(4) ? null : reader.GetString(4),
        Message = reader.GetString(5),
        Actor = reader.IsDBNull(6) ? null : reader.GetString(6),
        Epoch = reader.IsDBNull(7) ? null : reader.GetInt64(7),
    };
}
