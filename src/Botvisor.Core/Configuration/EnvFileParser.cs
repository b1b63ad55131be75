namespace Botvisor.Core.Configuration;

/// <summary>Reads <c>KEY=VALUE</c> files (comments with <c>#</c>, optional <c>export</c>, optional quotes).</summary>
public static class EnvFileParser
{
    public static Dictionary<string, string> Parse(string path, string text, List<FleetError> errors)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line[7..].TrimStart();
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                errors.Add(new FleetError("env_file", "expected KEY=VALUE") { File = path, Location = new SourceLocation(n + 1, 1) });
                continue;
            }
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0]) value = value[1..^1];
            values[key] = value;
        }
        return values;
    }
}
