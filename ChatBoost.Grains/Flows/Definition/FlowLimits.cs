namespace ChatBoost.Grains.Flows.Definition;

/// <summary>
/// Every numeric limit the validator enforces. Lengths are counted in Unicode code points (an emoji is one).
/// </summary>
/// <remarks>
/// The WhatsApp limits follow Meta's Cloud API reference (developers.facebook.com, WhatsApp Business Platform,
/// "Messages" pages, as published Nov 2025 – Jun 2026):
/// <list type="bullet">
/// <item>Text messages: body "Maximum 4096 characters".</item>
/// <item>Image messages (same for video and document): caption "Maximum 1024 characters"; audio and sticker messages have no caption.</item>
/// <item>Interactive reply buttons messages: body max 1024, footer max 60, text header max 60, "up to 3 buttons",
/// button id "Maximum 256 characters", button label "Must be unique … Maximum 20 characters".</item>
/// <item>Interactive list messages: body max 4096, button text max 20, header (text only) max 60, footer max 60,
/// "up to 10 sections, with up to 10 rows for all sections combined", section title max 24, row id max 200,
/// row title max 24, row description max 72.</item>
/// </list>
/// </remarks>
public static class FlowLimits
{
    // Flow and node.
    public const int MaxNodesPerFlow = 500;
    public const int MaxConfigBytes = 16 * 1024;
    public const int MaxNodeNameLength = 100;

    // Text and media messages.
    public const int MaxTextBodyLength = 4096;
    public const int MaxCaptionLength = 1024;

    // Template messages (Meta: template names are lower case letters, digits and underscores, at most 512 characters).
    public const int MaxTemplateNameLength = 512;

    // Interactive messages, common parts.
    public const int MaxHeaderTextLength = 60;
    public const int MaxFooterLength = 60;

    // Reply buttons.
    public const int MaxButtonsBodyLength = 1024;
    public const int MaxReplyButtons = 3;
    public const int MaxButtonTitleLength = 20;
    public const int MaxButtonIdLength = 256;

    // Lists.
    public const int MaxListBodyLength = 4096;
    public const int MaxListButtonTextLength = 20;
    public const int MaxListSections = 10;
    public const int MaxListRowsTotal = 10;
    public const int MaxSectionTitleLength = 24;
    public const int MaxRowIdLength = 200;
    public const int MaxRowTitleLength = 24;
    public const int MaxRowDescriptionLength = 72;

    // Wait.
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(30);

    // Webhook action.
    public const int MinWebhookTimeoutSeconds = 1;
    public const int MaxWebhookTimeoutSeconds = 30;
    public const int DefaultWebhookTimeoutSeconds = 10;

    // Condition.
    public const int MaxInValues = 100;

    // set_attribute and placeholders.
    public const int MaxAttributeKeyLength = 64;
    public const int MaxStateNameLength = 64;

    public static int TextLength(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
