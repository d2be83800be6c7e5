using System.Text;

namespace ChatBoost.Grains.Triggers.Matching;

/// <summary>
/// The text keywords are compared on: Unicode NFKC (so a full-width "ＨＩ", a ligature or a composed and a decomposed
/// "é" compare equal), trimmed, with every run of white space (including no-break spaces and line breaks) made one space.
/// Keywords are stored normalised the same way, so both sides of every comparison have one form.
/// </summary>
public static class KeywordText
{
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var composed = text.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(composed.Length);
        var pendingSpace = false;
        foreach (var c in composed)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
