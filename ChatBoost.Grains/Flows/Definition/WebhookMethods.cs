namespace ChatBoost.Grains.Flows.Definition;

/// <summary>HTTP methods a <c>webhook_action</c> may use (upper case, as written in the config).</summary>
public static class WebhookMethods
{
    public const string Get = "GET";
    public const string Post = "POST";
    public const string Put = "PUT";
    public const string Patch = "PATCH";
    public const string Delete = "DELETE";

    public static readonly IReadOnlyList<string> All = [Get, Post, Put, Patch, Delete];
}
