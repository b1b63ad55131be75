namespace Botvisor.Core.Configuration;

/// <summary>A 1-based line and column in a source file.</summary>
public readonly record struct SourceLocation(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
