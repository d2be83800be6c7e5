using ChatBoost.Configuration;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.UnitTests.Configuration;

public class WhatsAppWebhookSettingsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void ProductionWithoutAnAppSecretRefusesToStart(string? secret)
    {
        var config = secret is null ? Config() : Config(("WhatsApp:AppSecret", secret));
        var e = Assert.Throws<ConfigurationException>(() => WhatsAppWebhookSettings.Load(config, isProduction: true));
        Assert.Contains("WHATSAPP_APP_SECRET", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProductionWithAnAppSecretStarts()
    {
        var settings = WhatsAppWebhookSettings.Load(Config(("WhatsApp:AppSecret", "s3cret-value"), ("WhatsApp:WebhookVerifyToken", "tok")), isProduction: true);
        Assert.Equal("s3cret-value", settings.AppSecret);
        Assert.Equal("tok", settings.VerifyToken);
        Assert.DoesNotContain("s3cret", settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void OutsideProductionTheAppSecretIsOptional()
    {
        var settings = WhatsAppWebhookSettings.Load(Config(), isProduction: false);
        Assert.Null(settings.AppSecret);
        Assert.Null(settings.VerifyToken);
    }

    [Fact]
    public void TheSeedVariablesBindToTheWebhookSettings()
    {
        var table = new System.Collections.Hashtable { ["WHATSAPP_APP_SECRET"] = "from-env", ["WHATSAPP_WEBHOOK_VERIFY_TOKEN"] = "verify-env" };
        var config = new ConfigurationBuilder().AddInMemoryCollection(EnvironmentVariables.Read(table)).Build();
        var settings = WhatsAppWebhookSettings.Load(config, isProduction: true);
        Assert.Equal("from-env", settings.AppSecret);
        Assert.Equal("verify-env", settings.VerifyToken);
    }
}
