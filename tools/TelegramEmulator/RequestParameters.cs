using System.Text.Json;

namespace TelegramEmulator;

/// <summary>
/// Bot API parameters, wherever the client put them: query string, form-urlencoded, multipart or
/// JSON body (all four are used by real clients). JSON values that are not strings keep their JSON text.
/// </summary>
public sealed class RequestParameters
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Name, string MimeType, byte[] Content)> _files = new(StringComparer.Ordinal);

    public static async Task<RequestParameters> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var p = new RequestParameters();
        foreach (var (k, v) in request.Query) p._values[k] = v.ToString();
        var type = request.ContentType ?? "";
        if (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var prop in doc.RootElement.EnumerateObject())
                {
                    p._values[prop.Name] = prop.Value.ValueKind == JsonValueKind.String ? prop.Value.GetString()! : prop.Value.GetRawText();
                }
            }
        }
        else if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            foreach (var (k, v) in form) p._values[k] = v.ToString();
            foreach (var file in form.Files)
            {
                using var content = new MemoryStream();
                await file.CopyToAsync(content, ct);
                p._files[file.Name] = (file.FileName, file.ContentType ?? "application/octet-stream", content.ToArray());
            }
        }
        return p;
    }

    public string? String(string name) => _values.GetValueOrDefault(name);

    /// <summary>A file uploaded in a multipart request under <paramref name="name"/> (directly, or by <c>attach://</c>).</summary>
    public (string Name, string MimeType, byte[] Content)? File(string name)
    {
        if (_files.TryGetValue(name, out var file)) return file;
        return _values.TryGetValue(name, out var v) && v.StartsWith("attach://", StringComparison.Ordinal) && _files.TryGetValue(v["attach://".Length..], out file) ? file : null;
    }

    public long Long(string name, long fallback) =>
        _values.TryGetValue(name, out var v) && long.TryParse(v, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : fallback;

    public bool Bool(string name) => _values.TryGetValue(name, out var v) && v is "true" or "True" or "1";

    public IReadOnlyCollection<string>? List(string name)
    {
        if (!_values.TryGetValue(name, out var v) || v.Length == 0) return null;
        try
        {
            return JsonSerializer.Deserialize(v, EmulatorJsonContext.Default.ListString);
        }
        catch (JsonException)
        {
            return v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class EmulatorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
