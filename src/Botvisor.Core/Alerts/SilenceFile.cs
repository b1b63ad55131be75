using System.Text.Json;
using System.Text.Json.Serialization;

namespace Botvisor.Core.Alerts;

/// <summary>
/// Silences kept in the state directory (<c>silences.json</c>, mode 0600), so that a restart of the
/// daemon does not end them. Written whole to a temporary file and renamed over the old one; a file
/// that cannot be read is reported and treated as empty (a silence is not worth refusing to start).
/// </summary>
public sealed class SilenceFile(string path)
{
    public const string FileName = "silences.json";

    public string Path { get; } = path;

    public IReadOnlyList<Silence> Load(DateTimeOffset now, out string? problem)
    {
        problem = null;
        if (!File.Exists(Path)) return [];
        try
        {
            var entries = JsonSerializer.Deserialize(File.ReadAllText(Path), SilenceFileJson.Default.ListEntry) ?? [];
            var silences = new List<Silence>();
            foreach (var e in entries)
            {
                AlertKind? kind = null;
                if (e.Kind is { } name)
                {
                    if (!AlertKinds.TryParse(name, out var k)) continue;
                    kind = k;
                }
                if (e.Until > now && e.Target.Length > 0) silences.Add(new Silence(e.Target, kind, e.Until, e.By));
            }
            return silences;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = $"{Path} could not be read ({ex.Message}); starting without silences";
            return [];
        }
    }

    public void Save(IReadOnlyList<Silence> silences)
    {
        var entries = silences.Select(s => new Entry(s.Target, s.Kind?.Name(), s.Until, s.By)).ToList();
        var temp = Path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, entries, SilenceFileJson.Default.ListEntry);
        }
        File.Move(temp, Path, overwrite: true);
    }

    internal sealed record Entry(string Target, string? Kind, DateTimeOffset Until, string By);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(List<SilenceFile.Entry>))]
internal sealed partial class SilenceFileJson : JsonSerializerContext;
