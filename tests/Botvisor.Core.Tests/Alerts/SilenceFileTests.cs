using Botvisor.Core.Alerts;

namespace Botvisor.Core.Tests.Alerts;

public sealed class SilenceFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("botvisor-silences-").FullName;
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SaveThenLoad_KeepsWhatIsInForce()
    {
        var file = new SilenceFile(Path.Combine(_dir, SilenceFile.FileName));
        file.Save([new Silence("crashy", null, Now.AddHours(1), "telegram:1"), new Silence("*", AlertKind.RestartStorm, Now.AddMinutes(5), "unix:root")]);

        var loaded = file.Load(Now.AddMinutes(10), out var problem);

        Assert.Null(problem);
        Assert.Equal(new Silence("crashy", null, Now.AddHours(1), "telegram:1"), Assert.Single(loaded)); // the other one has ended
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.Path));
    }

    [Fact]
    public void DamagedFile_IsReportedAndEmpty()
    {
        var file = new SilenceFile(Path.Combine(_dir, SilenceFile.FileName));
        File.WriteAllText(file.Path, "{ not json");

        Assert.Empty(file.Load(Now, out var problem));
        Assert.Contains("could not be read", problem, StringComparison.Ordinal);
    }
}
