using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
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

            // The gateway really speaks TLS with the cluster certificate, and drops a client that has none.
            var gatewayPort = int.Parse(system.Silos[0].Environment["GATEWAY_PORT"]!, System.Globalization.CultureInfo.InvariantCulture);
            var (presented, dropped) = await ConnectWithoutAClientCertificateAsync(gatewayPort);
            Assert.Equal(certificate.Thumbprint, presented?.Thumbprint);
            Assert.True(dropped, "the gateway kept a TLS connection that presented no client certificate");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A TLS client with no certificate: what the gateway presents, and whether it then closes the connection.</summary>
    private static async Task<(X509Certificate2? Presented, bool Dropped)> ConnectWithoutAClientCertificateAsync(int port)
    {
        X509Certificate2? presented = null;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, remote, _, _) =>
        {
            presented = remote is null ? null : X509CertificateLoader.LoadCertificate(remote.GetRawCertData());
            return true;
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "chatboost-cluster-e2e" }, timeout.Token);
            // TLS 1.3 reports the server's refusal of the missing client certificate on the first read.
            var read = await tls.ReadAsync(new byte[1], timeout.Token);
            return (presented, read == 0);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return (presented, true);
        }
    }
}
