using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Botvisor.Core.Cluster;
using Botvisor.Core.Fleet;
using Botvisor.Core.Gateway;
using Botvisor.Gateway;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Botvisor.IntegrationTests.Gateway;

/// <summary>
/// The gateway against a Telegram that speaks TLS and HTTP/2 (api.telegram.org does; here the emulator with a
/// self-signed certificate the forwarder is told to trust): the bots' long polls share one connection.
/// </summary>
public sealed class GatewayHttp2Tests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("botvisor-gw-h2-").FullName;
    private X509Certificate2 _certificate = null!;
    private EmulatorHost _emu = null!;
    private GatewayRegistry _registry = null!;
    private GatewayHost _host = null!;
    private ServiceProvider _services = null!;

    public async ValueTask InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string certificatePem = Path.Combine(_dir, "cert.pem"), keyPem = Path.Combine(_dir, "key.pem");
        await File.WriteAllTextAsync(certificatePem, _certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPem, key.ExportPkcs8PrivateKeyPem());

        _emu = await EmulatorHost.StartHttpsAsync(certificatePem, keyPem);
        _registry = new GatewayRegistry(TimeProvider.System);
        _services = new ServiceCollection().BuildServiceProvider();
        var client = GatewayForwarder.CreateClient([_certificate]);
        var forwarder = new GatewayForwarder(_registry, SingleNodeFence.Instance, client, NullLogger.Instance, (_, _) => { });
        _host = new GatewayHost(_registry, forwarder, _services, NullLoggerFactory.Instance);
        await _host.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        await _services.DisposeAsync();
        await _emu.DisposeAsync();
        _certificate.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task LongPollsOfManyBots_ShareOneHttp2Connection_AndEachGetsItsOwnUpdates()
    {
        var bots = new List<(string Token, GatewayRun Run)>();
        for (int i = 0; i < 5; i++)
        {
            var token = await _emu.RegisterAsync($"h2_bot_{i}");
            bots.Add((token, _registry.Issue(new BotSpec
            {
                Id = $"h2-{i}", Command = ["x"], WorkingDirectory = "/", Token = new BotToken(token), Gateway = true, TelegramApiBaseUrl = _emu.BaseUrl,
            })));
        }
        using var gateway = new HttpClient { BaseAddress = new Uri(_registry.BaseUrl!), Timeout = TestTimeouts.Event };
        // The first call opens the connection (TLS, HTTP/2 by ALPN); the polls then all ride on it.
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync($"/bot{bots[0].Run.Placeholder}/getMe")).StatusCode);
        var first = await _emu.StatsAsync(bots[0].Token);
        Assert.Equal("HTTP/2", first["protocol"]!.GetValue<string>());

        var polls = bots.Select(b => gateway.GetFromJsonAsync<JsonObject>($"/bot{b.Run.Placeholder}/getUpdates?timeout=50")).ToList();
        using (var cts = new CancellationTokenSource(TestTimeouts.Event))
        {
            foreach (var (token, _) in bots)
            {
                while (!(await _emu.StatsAsync(token))["polling"]!.GetValue<bool>()) await Task.Delay(20, cts.Token);
            }
        }
        foreach (var (token, _) in bots)
        {
            var stats = await _emu.StatsAsync(token);
            Assert.Equal("HTTP/2", stats["protocol"]!.GetValue<string>());
            Assert.Equal(first["connection"]!.GetValue<string>(), stats["connection"]!.GetValue<string>());
        }

        for (int i = 0; i < bots.Count; i++) await _emu.InjectAsync(bots[i].Token, $"hello {i}");
        for (int i = 0; i < bots.Count; i++)
        {
            var answer = (await polls[i])!;
            var update = Assert.Single(answer["result"]!.AsArray());
            Assert.Equal($"hello {i}", update!["message"]!["text"]!.GetValue<string>());
        }
    }
}
