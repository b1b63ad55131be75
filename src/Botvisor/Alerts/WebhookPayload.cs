using System.Text.Json;
using Botvisor.Core.Alerts;

namespace Botvisor.Alerts;

/// <summary>
/// The JSON a webhook receiver gets (version 1, documented in the README): one object per
/// notification with an <c>alerts</c> array. Written with <see cref="Utf8JsonWriter"/> (no reflection).
/// </summary>
public static class WebhookPayload
{
    public const int Version = 1;

    public static byte[] Write(AlertBatch batch, string host)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("version", Version);
            w.WriteString("source", "botvisor");
            w.WriteString("host", host);
            w.WriteString("sent_at", batch.Time.UtcDateTime);
            w.WriteString("summary", AlertText.Summary(batch));
            w.WriteStartArray("alerts");
            foreach (var a in batch.Firing) WriteAlert(w, a, "firing");
            foreach (var a in batch.Repeated) WriteAlert(w, a, "repeat");
            foreach (var a in batch.Resolved) WriteAlert(w, a, "resolved");
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteAlert(Utf8JsonWriter w, AlertNotice a, string status)
    {
        w.WriteStartObject();
        w.WriteString("status", status);
        w.WriteString("kind", a.Key.Kind.Name());
        w.WriteString("subject_type", a.Key.Kind.SubjectNoun());
        w.WriteString("subject", a.Key.Subject);
        w.WriteString("reason", a.Reason);
        w.WriteString("started_at", a.StartedAt.UtcDateTime);
        if (a.EndedAt is { } ended) w.WriteString("ended_at", ended.UtcDateTime);
        else w.WriteNull("ended_at");
        if (a.EndReason is { } why) w.WriteString("end_reason", why);
        else w.WriteNull("end_reason");
        if (a.EventId is { } id) w.WriteNumber("event_id", id);
        else w.WriteNull("event_id");
        w.WriteEndObject();
    }
}
