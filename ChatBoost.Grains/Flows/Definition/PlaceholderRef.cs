namespace ChatBoost.Grains.Flows.Definition;

public enum PlaceholderKind
{
    /// <summary><c>contact.phone</c>: the contact's WhatsApp number.</summary>
    ContactPhone,

    /// <summary><c>contact.name</c>: the contact's full (profile) name.</summary>
    ContactName,

    /// <summary><c>contact.first_name</c>.</summary>
    ContactFirstName,

    /// <summary><c>contact.last_name</c>.</summary>
    ContactLastName,

    /// <summary><c>contact.attribute.KEY</c>: <see cref="PlaceholderRef.Name"/> is the attribute key.</summary>
    ContactAttribute,

    /// <summary><c>state.NAME[.SEGMENT…]</c>: <see cref="PlaceholderRef.Name"/> is NAME, <see cref="PlaceholderRef.Path"/> the segments after it.</summary>
    State,

    /// <summary><c>now</c>: the current time, ISO-8601 in UTC.</summary>
    Now,
}

/// <summary>
/// A parsed reference such as <c>contact.attribute.city</c> or <c>state.api_result.order.id</c>. Two references are
/// equal when their canonical <see cref="Expression"/> is equal.
/// </summary>
public sealed record PlaceholderRef(PlaceholderKind Kind, string Expression, string? Name, IReadOnlyList<string> Path)
{
    public bool Equals(PlaceholderRef? other) => other is not null && Expression == other.Expression;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Expression);

    public override string ToString() => Expression;
}

/// <summary>A well-formed <c>{{ … }}</c> at <see cref="Start"/> spanning <see cref="Length"/> characters.</summary>
public sealed record PlaceholderOccurrence(int Start, int Length, PlaceholderRef Reference);

/// <summary>A malformed placeholder (or reference): a <see cref="FlowProblemCodes"/> placeholder code.</summary>
public sealed record PlaceholderError(int Start, string Code, string Message);

/// <summary>Every placeholder of one string: the well-formed ones and the malformed ones.</summary>
public sealed record PlaceholderScan(IReadOnlyList<PlaceholderOccurrence> Occurrences, IReadOnlyList<PlaceholderError> Errors)
{
    public bool HasPlaceholders => Occurrences.Count > 0 || Errors.Count > 0;
}
