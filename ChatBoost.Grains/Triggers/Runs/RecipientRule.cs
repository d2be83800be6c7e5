using ChatBoost.Grains.Interfaces.Contacts;

namespace ChatBoost.Grains.Triggers.Runs;

/// <summary>The <c>trigger_run_recipients.outcome</c> values: started, or skipped with the reason.</summary>
public static class RecipientOutcomes
{
    public const string Started = "started";
    public const string SkippedOptedOut = "skipped_opted_out";
    public const string SkippedOutsideWindow = "skipped_outside_window";
    public const string SkippedActiveExecution = "skipped_active_execution";
    public const string SkippedNoContact = "skipped_no_contact";
    public const string Failed = "failed";

    public const string SkippedPrefix = "skipped_";
}

/// <summary>A contact of the audience as the walk reads it (contacts row).</summary>
public sealed record AudienceContact(long Id, string WaId, bool OptedIn, DateTimeOffset? LastInboundAt);

/// <summary>What the run decided for one contact.</summary>
public sealed record RecipientDecision(AudienceContact Contact, string Outcome, long? ExecutionId, string? Detail);

/// <summary>
/// Who of the audience a run starts, pure. Before asking the contact: an opted-out contact is skipped; so is one outside
/// the 24-hour customer-service window when the flow's first send is not a template (<see cref="FirstSend"/>). The
/// window is read from <c>contacts.last_inbound_at</c>, which the contact refreshes at most once a minute, so it can be
/// older than the true last message, never newer: the rule may skip a contact who wrote 23 h 59 min ago, and never starts
/// one outside the window. Then the contact's own answer (<see cref="AutomatedStartOutcome"/>) is the outcome: an
/// already-started key (a resumed walk passing the contact again) counts as started, once.
/// </summary>
public static class RecipientRule
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <returns>The skip outcome, or null: ask the contact to start.</returns>
    public static string? Precheck(AudienceContact contact, bool needsWindow, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (!contact.OptedIn)
        {
            return RecipientOutcomes.SkippedOptedOut;
        }

        return needsWindow && (contact.LastInboundAt is not { } last || now - last >= Window) ? RecipientOutcomes.SkippedOutsideWindow : null;
    }

    public static RecipientDecision FromStart(AudienceContact contact, AutomatedStartOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var status = outcome.Status switch
        {
            AutomatedStartStatuses.Started or AutomatedStartStatuses.AlreadyStarted => RecipientOutcomes.Started,
            AutomatedStartStatuses.OptedOut => RecipientOutcomes.SkippedOptedOut,
            AutomatedStartStatuses.ActiveExecution => RecipientOutcomes.SkippedActiveExecution,
            AutomatedStartStatuses.NoContact => RecipientOutcomes.SkippedNoContact,
            _ => RecipientOutcomes.Failed,
        };
        return new RecipientDecision(contact, status, status == RecipientOutcomes.Started ? outcome.ExecutionId : null, outcome.Detail);
    }

    /// <summary>The start key of a contact's execution in a run: unique per (run, contact), as the index on
    /// <c>flow_executions.start_key</c> is global.</summary>
    public static string StartKey(long runId, long contactId) => $"broadcast:{runId}:{contactId}";
}
