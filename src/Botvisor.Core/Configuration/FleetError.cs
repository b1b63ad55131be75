namespace Botvisor.Core.Configuration;

/// <summary>
/// One problem in a fleet definition: where it is (file, line, column, path such as
/// <c>bots.echo.backoff.initial</c>), the value that is wrong, and what is wrong with it.
/// </summary>
public sealed record FleetError(string Path, string Message)
{
    public string? File { get; init; }
    public SourceLocation? Location { get; init; }

    /// <summary>The offending value as written (never a secret: tokens are masked).</summary>
    public string? Value { get; init; }

    public override string ToString()
    {
        var where = File is null ? "" : Location is { } loc ? $"{File}:{loc.Line}:{loc.Column}: " : $"{File}: ";
        if (File is null && Location is { } l) where = $"{l.Line}:{l.Column}: ";
        var value = Value is null ? "" : $" (value: '{Value}')";
        var path = Path.Length == 0 ? "" : Path + ": ";
        return $"{where}{path}{Message}{value}";
    }
}
