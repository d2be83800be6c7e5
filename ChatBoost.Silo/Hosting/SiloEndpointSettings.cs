using System.Net;
using ChatBoost.Configuration;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.Silo.Hosting;

/// <summary>
/// Where this silo listens and what it advertises: configurable so that several silos run on one machine
/// (SILO_PORT, GATEWAY_PORT, SILO_ADVERTISED_IP). With no advertised address, Orleans picks the machine's
/// first non-loopback address, which is what a container wants.
/// </summary>
public sealed class SiloEndpointSettings
{
    public const string Section = "Silo";

    public int Port { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string? AdvertisedIp { get; set; }

    public static SiloEndpointSettings Load(IConfiguration configuration)
    {
        SiloEndpointSettings settings;
        try
        {
            settings = configuration.GetSection(Section).Get<SiloEndpointSettings>() ?? new SiloEndpointSettings();
        }
        catch (InvalidOperationException)
        {
            throw new ConfigurationException("SILO_PORT and GATEWAY_PORT must be port numbers.");
        }

        if (settings.Port is < 1 or > 65535 || settings.GatewayPort is < 1 or > 65535 || settings.Port == settings.GatewayPort)
        {
            throw new ConfigurationException("SILO_PORT and GATEWAY_PORT must be two different port numbers between 1 and 65535.");
        }

        if (!string.IsNullOrWhiteSpace(settings.AdvertisedIp) && !IPAddress.TryParse(settings.AdvertisedIp, out _))
        {
            throw new ConfigurationException("SILO_ADVERTISED_IP must be an IP address that clients and other silos can reach.");
        }

        return settings;
    }
}
