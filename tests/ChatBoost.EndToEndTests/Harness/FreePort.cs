using System.Net;
using System.Net.Sockets;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// A port nothing listens on now, never the same one twice in this test run: the kernel may hand the port it just
/// released to the next ask, and a silo given the same port for SILO_PORT and GATEWAY_PORT cannot start.
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
