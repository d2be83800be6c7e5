namespace ChatBoost.Grains.Flows.Definition;

/// <summary>Values of a <c>send_message</c> node's <c>message_type</c>: the seed's four kinds of message.</summary>
public static class MessageTypes
{
    public const string Text = "text";
    public const string Template = "template";
    public const string Media = "media";
    public const string Interactive = "interactive";

    public static readonly IReadOnlyList<string> All = [Text, Template, Media, Interactive];
}

/// <summary>Values of <c>content.type</c> for a media message (and of a media header's <c>type</c>).</summary>
public static class MediaTypes
{
    public const string Image = "image";
    public const string Video = "video";
    public const string Audio = "audio";
    public const string Document = "document";
    public const string Sticker = "sticker";

    public static readonly IReadOnlyList<string> All = [Image, Video, Audio, Document, Sticker];

    /// <summary>Meta accepts a caption on image, video and document messages only.</summary>
    public static bool AllowsCaption(string mediaType) => mediaType is Image or Video or Document;
}

/// <summary>Values of <c>content.type</c> for an interactive message.</summary>
public static class InteractiveTypes
{
    public const string Button = "button";
    public const string List = "list";

    public static readonly IReadOnlyList<string> All = [Button, List];
}

/// <summary>Values of an interactive message's <c>header.type</c>.</summary>
public static class InteractiveHeaderTypes
{
    public const string Text = "text";

    /// <summary>A reply-buttons message may have a text, image, video or document header; a list only a text one.</summary>
    public static readonly IReadOnlyList<string> ForButtons = [Text, MediaTypes.Image, MediaTypes.Video, MediaTypes.Document];

    public static readonly IReadOnlyList<string> ForList = [Text];
}
