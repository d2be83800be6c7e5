using System.Net;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.Testing;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Platform;

/// <summary>
/// Orleans mutual TLS (<c>ORLEANS_TLS_CERTIFICATE_PATH</c>): two silos form a cluster over TLS and the API reaches it
/// through a TLS gateway connection, with a self-signed certificate the test makes. (That a peer with another
/// certificate is refused is the pinning rule, unit-tested in <c>ClusterTlsSettingsTests</c>.)
/// </summary>
public class ClusterTlsTests
{
    [Fact]
    public async Task SilosAndTheApiTalkOverMutualTlsWithTheClusterCertificate()
    {
        using var certificate = TestCertificates.CreateRsa("CN=chatboost-cluster-e2e");
        var path = TestCertificates.WritePfx(certificate);
        try
        {
            await using var system = await ChatBoostSystem.StartAsync(silos: 2, new Dictionary<string, string?>
            {
                ["ORLEANS_TLS_CERTIFICATE_PATH"] = path,
                ["ORLEANS_TLS_CERTIFICATE_PASSWORD"] = TestCertificates.Password,
            });

            var (status, _, _) = await system.Http.GetJsonAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, status);

            // Grain calls through the gateway: register, sign in, read oneself.
            var (_, _, token) = await system.Http.NewUserAsync("tls");
            var (meStatus, _, _) = await system.Http.GetJsonAsync("/auth/me", token);
            Assert.Equal(HttpStatusCode.OK, meStatus);
            Assert.DoesNotContain(TestCertificates.Password, system.AllLogs, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
