using ChatBoost.Grains.Flows.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBoost.UnitTests.Flows.Http;

public class WebhookCallerRegistrationTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    private static ServiceProvider Build(IConfiguration configuration) =>
        new ServiceCollection()
            .AddChatBoostWebhookCaller(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    [Fact]
    public void TheSettingsAreReadFromConfiguration()
    {
        using var services = Build(Configuration(
            ("Flows:WebhookAllowList", " 127.0.0.1:5123, [::1]:5123 ,10.0.0.0/8,"),
            ("Flows:WebhookMaxResponseBytes", "4096"),
            ("Flows:WebhookTimeoutSeconds", "3")));

        var options = services.GetRequiredService<IOptions<WebhookCallerOptions>>().Value;

        Assert.Equal(["127.0.0.1:5123", "[::1]:5123", "10.0.0.0/8"], options.AllowList);
        Assert.Equal(4096, options.MaxResponseBytes);
        Assert.Equal(TimeSpan.FromSeconds(3), options.DefaultTimeout);
        Assert.Same(services.GetRequiredService<WebhookCaller>(), services.GetRequiredService<WebhookCaller>());
    }

    [Fact]
    public void AbsentSettingsKeepTheDefaults()
    {
        using var services = Build(Configuration());

        var options = services.GetRequiredService<IOptions<WebhookCallerOptions>>().Value;

        Assert.Empty(options.AllowList);
        Assert.Equal(256 * 1024, options.MaxResponseBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), options.DefaultTimeout);
        Assert.NotNull(services.GetRequiredService<WebhookCaller>());
    }

    [Theory]
    [InlineData("Flows:WebhookAllowList", "127.0.0.1:5123,internal.example.com", "'internal.example.com'")]
    [InlineData("Flows:WebhookAllowList", "10.0.0.0/8,127.0.0.1:99999", "'127.0.0.1:99999'")]
    [InlineData("Flows:WebhookMaxResponseBytes", "lots", "Flows:WebhookMaxResponseBytes")]
    [InlineData("Flows:WebhookMaxResponseBytes", "0", "Flows:WebhookMaxResponseBytes")]
    [InlineData("Flows:WebhookTimeoutSeconds", "-5", "Flows:WebhookTimeoutSeconds")]
    [InlineData("Flows:WebhookTimeoutSeconds", "1.5", "Flows:WebhookTimeoutSeconds")]
    public async Task ABadSettingStopsTheHostAtStartNamingIt(string key, string value, string named)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddChatBoostWebhookCaller(Configuration((key, value)));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
