namespace ChatBoost.Grains.Interfaces.Notifications;

/// <summary>
/// Delivers announcements to everyone in pages (key 0, one walker for the cluster): never one unbounded call. The queue
/// and the cursor of the announcement being walked are durable, so a crash resumes at the last page recorded; a page
/// delivered twice stores nothing twice (each inbox claims the announcement's source once).
/// </summary>
[Alias("chatboost.notifications.IAnnouncementFanOutGrain")]
public interface IAnnouncementFanOutGrain : IGrainWithIntegerKey
{
    /// <summary>Queues an announcement to everyone (again: nothing new) and makes sure the walk runs.</summary>
    [Alias("Enqueue")]
    Task EnqueueAsync(AnnouncementFanOut fanOut);

    /// <summary>Delivers the next page of the oldest queued announcement; false when nothing is queued.</summary>
    [Alias("Step")]
    Task<bool> StepAsync();

    /// <summary>How many announcements wait for (the rest of) their walk.</summary>
    [Alias("Pending")]
    Task<int> PendingAsync();
}

/// <summary>An announcement to every active user, as the walk delivers it.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.AnnouncementFanOut")]
public sealed record AnnouncementFanOut(
    [property: Id(0)] long AnnouncementId,
    [property: Id(1)] string Title,
    [property: Id(2)] string Body);
