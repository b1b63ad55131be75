namespace Botvisor.IntegrationTests.Runners;

/// <summary>A temporary directory with a fleet file and a state directory.</summary>
public sealed class TempFleet : IDisposable
{
    public TempFleet()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("botvisor-it-").FullName;
    }

    public string Directory { get; }
    public string ConfigPath => Path.Combine(Directory, "botvisor.yaml");
    public string StateDir => Path.Combine(Directory, "state");

    public TempFleet Write(string yaml)
    {
        File.WriteAllText(ConfigPath, yaml);
        return this;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
