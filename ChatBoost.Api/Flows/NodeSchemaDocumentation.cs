using ChatBoost.Api.Bots;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ChatBoost.Api.Flows;

/// <summary>
/// The node reference in the OpenAPI schema itself: the node request bodies get the node types as an enum and
/// a precise description of every config (condition operators, wait modes, message types, branches, entry
/// node). The lists mirror the validator's constants (a unit test keeps them equal); docs/flows.md has the
/// full reference with examples.
/// </summary>
public static class NodeSchemaDocumentation
{
    public static readonly IReadOnlyList<string> NodeTypes = ["send_message", "wait", "condition", "webhook_action", "set_attribute"];

    public static readonly IReadOnlyList<string> ConditionOperators = ["==", "!=", ">", ">=", "<", "<=", "contains", "starts_with", "ends_with", "is_set", "is_not_set", "in"];

    public static readonly IReadOnlyList<string> MessageTypes = ["text", "template", "media", "interactive"];

    public static readonly IReadOnlyList<string> MediaTypes = ["image", "video", "audio", "document", "sticker"];

    public static readonly IReadOnlyList<string> WaitUnits = ["seconds", "minutes", "hours", "days"];

    public const string ConfigDescription = """
        A node of a flow's draft. Its `config` depends on `type` (full reference with examples: docs/flows.md).

        Branch fields (`next`, `true_path`, `false_path`, `timeout_path`, `error_path`) hold the id of a node of the same flow as
        returned by POST /bots/nodes/; absent or null ends the flow. The flow's entry node is its `entry_node_id`, by default the
        first node created.

        - **send_message**: `message_type` one of text | template | media | interactive; `content`:
          text `{text (≤ 4096), preview_url?}`; template `{template_name, language_code, components?}`;
          media `{type: image|video|audio|document|sticker, id | link, caption? (≤ 1024; image, video, document), filename? (document)}`;
          interactive `{type: button, body, buttons: [{id, title (≤ 20)}] (1–3), header?, footer?}` or
          `{type: list, body, button (≤ 20), sections: [{title?, rows: [{id, title (≤ 24), description? (≤ 72)}]}] (≤ 10 rows in all)}`;
          `next`. Free-form messages need the contact's 24-hour window; templates do not.
        - **wait**: either a duration `{duration > 0, unit: seconds|minutes|hours|days, next}`, or the contact's reply
          `{until: "reply", timeout, timeout_unit, store_response_in (default state.user_response), next, timeout_path}`
          (the reply's text, or the id of the chosen button or list row, is stored). At most 30 days.
        - **condition**: `{variable (e.g. state.user_response, contact.attribute.KEY), operator, value, case_sensitive? (false), true_path, false_path}`.
          Operators: `==` `!=` (equality; numbers numerically, text case-insensitively by default), `>` `>=` `<` `<=` (numbers only),
          `contains` `starts_with` `ends_with` (text), `is_set` `is_not_set` (no value), `in` (value is an array of 1–100 values).
          A missing variable makes every operator false except `!=` and `is_not_set`.
        - **webhook_action**: `{url (absolute http/https; placeholders only in path or query), method: GET|POST|PUT|PATCH|DELETE (POST),
          headers?, body?, timeout_seconds? (1–30, default 10), store_response_in? (state.NAME), next, error_path?}`.
        - **set_attribute**: `{attribute_key ([A-Za-z0-9_.-], ≤ 64), attribute_value, value_type: string|number|boolean|json (string), next}`.

        Text may use placeholders: `{{contact.first_name}}`, `{{contact.last_name}}`, `{{contact.name}}`, `{{contact.phone}}`,
        `{{contact.attribute.KEY}}`, `{{state.NAME}}`, `{{now}}`. Config is at most 16 KB; a flow has at most 500 nodes.
        """;

    public static void AddNodeSchemaDocumentation(this OpenApiOptions options) =>
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = context.JsonTypeInfo.Type;
            if ((type == typeof(CreateNodeRequest) || type == typeof(UpdateNodeRequest)) && schema.Properties is { } properties)
            {
                if (properties.TryGetValue("type", out var typeSchema) && typeSchema is OpenApiSchema nodeType)
                {
                    nodeType.Enum = [.. NodeTypes.Select(t => (JsonNode)JsonValue.Create(t))];
                    nodeType.Description = "The node type.";
                }

                // `config` is a reference to the shared JsonElement schema, so the reference goes on the body itself.
                schema.Description = ConfigDescription;
            }

            return Task.CompletedTask;
        });
}
