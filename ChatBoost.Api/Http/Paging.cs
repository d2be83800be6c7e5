using System.Globalization;

namespace ChatBoost.Api.Http;

/// <summary><c>limit</c>/<c>offset</c> query parameters, validated (bad values are a 422, never a 500).</summary>
public readonly record struct Paging(int Limit, int Offset)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static bool TryParse(HttpRequest request, out Paging paging, out IResult? problem)
    {
        var errors = new ValidationErrors();
        var limit = Parse(request.Query["limit"], "limit", DefaultLimit, 1, MaxLimit, errors);
        var offset = Parse(request.Query["offset"], "offset", 0, 0, 1_000_000, errors);
        paging = new Paging(limit, offset);
        problem = errors.Any ? errors.ToResult() : null;
        return problem is null;
    }

    private static int Parse(string? raw, string name, int fallback, int min, int max, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors.Add(name, $"Must be a whole number from {min} to {max}.");
            return fallback;
        }

        return value;
    }
}
