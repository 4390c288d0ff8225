namespace Reputation.Grains;

[GenerateSerializer, Alias("reputation.ListName")]
public enum ListName
{
    Allow,
    Deny,
}

[GenerateSerializer, Alias("reputation.ListEntity")]
public enum ListEntity
{
    Account,
    PaymentInstrument,
    IpRange,
    PromptTemplate,
}

/// <summary>An entry of an allow or deny list; the entity id is canonical (see the Api's ListKeys).</summary>
[GenerateSerializer, Immutable, Alias("reputation.ListItem")]
public sealed record ListItem
{
    [Id(0)] public required ListName List { get; init; }
    [Id(1)] public required ListEntity Entity { get; init; }
    [Id(2)] public required string EntityId { get; init; }
    [Id(3)] public required string Reason { get; init; }
    [Id(4)] public required string AddedBy { get; init; }
    [Id(5)] public required DateTimeOffset AddedAt { get; init; }
    [Id(6)] public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>One key per entity, whichever list it is on: an entity is on at most one.</summary>
    public string Key => KeyOf(Entity, EntityId);

    public bool AppliesAt(DateTimeOffset now) => ExpiresAt is not { } expires || expires > now;

    public static string KeyOf(ListEntity entity, string entityId) => $"{(int)entity}/{entityId}";
}

/// <summary>One change to the lists: the entity's entry now (null when removed), and the lists' version after it.</summary>
[GenerateSerializer, Immutable, Alias("reputation.ListChange")]
public sealed record ListChange
{
    [Id(0)] public required string Key { get; init; }
    [Id(1)] public ListItem? Entry { get; init; }
    [Id(2)] public required long Version { get; init; }
}

/// <summary>Every entry in force, at a version.</summary>
[GenerateSerializer, Immutable, Alias("reputation.ListSnapshot")]
public sealed record ListSnapshot
{
    [Id(0)] public required long Version { get; init; }
    [Id(1)] public required IReadOnlyList<ListItem> Entries { get; init; }
}

[GenerateSerializer, Alias("reputation.ListPutStatus")]
public enum ListPutStatus
{
    Applied,
    /// <summary>The entity is on the other list; nothing changed.</summary>
    OnOtherList,
    /// <summary>The list holds <see cref="ListsGrain.MaxEntriesPerList"/> entries; nothing changed.</summary>
    Full,
}

/// <summary>What a PUT did, with the entry before it (for an audit hook).</summary>
[GenerateSerializer, Immutable, Alias("reputation.ListPutResult")]
public sealed record ListPutResult
{
    [Id(0)] public required ListPutStatus Status { get; init; }
    /// <summary>The entity's entry before the call (on either list); null if it had none in force.</summary>
    [Id(1)] public ListItem? Previous { get; init; }
    /// <summary>The change applied; null when nothing changed.</summary>
    [Id(2)] public ListChange? Change { get; init; }
}

/// <summary>What a DELETE did: the entry removed (null if there was none) and the change.</summary>
[GenerateSerializer, Immutable, Alias("reputation.ListRemoveResult")]
public sealed record ListRemoveResult
{
    [Id(0)] public ListItem? Previous { get; init; }
    [Id(1)] public ListChange? Change { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.ListPage")]
public sealed record ListItemPage
{
    [Id(0)] public required IReadOnlyList<ListItem> Entries { get; init; }
    /// <summary>The key to pass as <c>after</c> for the next page; null on the last page.</summary>
    [Id(1)] public string? Next { get; init; }
}

[GenerateSerializer, Alias("reputation.ListsState")]
public sealed class ListsState
{
    /// <summary>By <see cref="ListItem.Key"/>.</summary>
    [Id(0)] public Dictionary<string, ListItem> Entries { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public long Version { get; set; }
}

/// <summary>A silo's copy of the lists, told of each change.</summary>
[Alias("reputation.IListObserver")]
public interface IListObserver : IGrainObserver
{
    [Alias("Changed"), OneWay]
    Task ChangedAsync(ListChange change);
}

/// <summary>Both lists, in one grain (key <see cref="ListsGrain.Key"/>) so that "not on both" is checked atomically.</summary>
[Alias("reputation.IListsGrain")]
public interface IListsGrain : IGrainWithStringKey
{
    [Alias("Put")]
    ValueTask<ListPutResult> PutAsync(ListItem entry);

    [Alias("Remove")]
    ValueTask<ListRemoveResult> RemoveAsync(ListName list, ListEntity entity, string entityId);

    /// <summary>Entries in force on one list, by key order, after the key given.</summary>
    [Alias("GetPage"), ReadOnly]
    ValueTask<ListItemPage> GetPageAsync(ListName list, string? after, int limit);

    /// <summary>Subscribes (or renews) an observer; the snapshot when the caller's version is not the current one, else null.</summary>
    [Alias("Subscribe")]
    ValueTask<ListSnapshot?> SubscribeAsync(IListObserver observer, long knownVersion);

    [Alias("Unsubscribe")]
    ValueTask UnsubscribeAsync(IListObserver observer);
}
