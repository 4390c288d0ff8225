using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Reputation.Grains.State;

/// <summary>
/// This silo's accounts' confirmations to their entities (docs/decisions/0012-durability.md, "A
/// retry after a partial failure"; docs/decisions/0040-batched-confirmations.md): an account that
/// has stored its events hands them here instead of sending each entity a message of its own, and
/// every <see cref="ConfirmationSettings.Interval"/> each entity gets one message with every account's
/// confirmation gathered for it, or at once when <see cref="ConfirmationSettings.MaxIds"/> are waiting.
/// A confirmation is only ever added after the account's write succeeded, so the guarantee is the
/// one of a single confirmation: an entity holds an id until its account has stored it, and one that
/// is lost (the silo stopped first, the message was dropped) ages out as a lost confirmation does.
/// </summary>
public sealed partial class ConfirmationBatcher : IDisposable
{
    private readonly ConcurrentDictionary<(string Kind, string Key), Pending> _pending = new();
    private readonly Action<string, string, AccountConfirmation[]> _send;
    private readonly ILogger _logger;
    private readonly int _maxIds;
    private readonly Timer? _timer;

    public ConfirmationBatcher(IGrainFactory grains, ConfirmationSettings settings, ILogger<ConfirmationBatcher> logger)
        : this(settings, (kind, key, batch) => _ = EntityGrains.Of(grains, kind, key)!.ConfirmManyAsync(batch), logger)
    {
    }

    /// <param name="settings">How often and how many at most.</param>
    /// <param name="send">Sends one entity its batch (one-way: nothing waits for it).</param>
    /// <param name="logger">Where a batch that could not be sent is reported.</param>
    internal ConfirmationBatcher(ConfirmationSettings settings, Action<string, string, AccountConfirmation[]> send, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _send = send;
        _logger = logger;
        _maxIds = settings.MaxIds;
        if (settings.Interval > TimeSpan.Zero)
        {
            _timer = new Timer(_ => Flush(), null, settings.Interval, settings.Interval);
        }
    }

    /// <summary>Confirms <paramref name="ids"/> of <paramref name="account"/> (its id hash) to the entity of <paramref name="kind"/> and <paramref name="key"/>, with the next batch.</summary>
    public void Add(string kind, string key, ulong account, ulong[] ids)
    {
        var confirmation = new AccountConfirmation { Account = account, Ids = ids };
        while (true)
        {
            var pending = _pending.GetOrAdd((kind, key), static _ => new Pending());
            AccountConfirmation[]? full = null;
            lock (pending)
            {
                // Removed by a flush between the look-up and the lock: take a new one.
                if (pending.Closed)
                {
                    continue;
                }

                pending.Confirmations.Add(confirmation);
                pending.Ids += ids.Length;
                if (pending.Ids >= _maxIds)
                {
                    full = pending.Take();
                }
            }

            if (full is not null)
            {
                Send(kind, key, full);
            }

            return;
        }
    }

    /// <summary>
    /// Takes what is waiting for an entity, to go with a call to it that is about to be made (no
    /// message of its own); null when nothing is. A call that then fails loses them, as a lost batch.
    /// </summary>
    public AccountConfirmation[]? Take(string kind, string key)
    {
        if (!_pending.TryGetValue((kind, key), out var pending))
        {
            return null;
        }

        lock (pending)
        {
            return pending.Closed ? null : pending.Take();
        }
    }

    /// <summary>Sends every entity what is waiting for it.</summary>
    public void Flush()
    {
        foreach (var (entity, pending) in _pending)
        {
            AccountConfirmation[]? batch;
            lock (pending)
            {
                batch = pending.Take();
                if (batch is null)
                {
                    // Nothing came since the last flush: forget the entity until something does.
                    pending.Closed = true;
                    _pending.TryRemove(new KeyValuePair<(string, string), Pending>(entity, pending));
                }
            }

            if (batch is not null)
            {
                Send(entity.Kind, entity.Key, batch);
            }
        }
    }

    private void Send(string kind, string key, AccountConfirmation[] batch)
    {
        try
        {
            _send(kind, key, batch);
        }
        catch (Exception exception)
        {
            // Lost confirmations: the entity's held ids age out (decision 0012). Nobody awaits this.
            LogSendFailed(_logger, kind, batch.Length, exception.GetType().Name);
        }
    }

    [LoggerMessage(3601, LogLevel.Warning, "Confirmations of {Accounts} accounts to a {Kind} could not be sent ({ExceptionType}); its held ids age out")]
    private static partial void LogSendFailed(ILogger logger, string kind, int accounts, string exceptionType);

    public void Dispose()
    {
        _timer?.Dispose();
        Flush();
    }

    private sealed class Pending
    {
        public List<AccountConfirmation> Confirmations { get; } = [];

        public int Ids { get; set; }

        public bool Closed { get; set; }

        public AccountConfirmation[]? Take()
        {
            if (Confirmations.Count == 0)
            {
                return null;
            }

            var batch = Confirmations.ToArray();
            Confirmations.Clear();
            Ids = 0;
            return batch;
        }
    }
}

/// <summary>How <see cref="ConfirmationBatcher"/> gathers confirmations.</summary>
/// <param name="Interval">How long a confirmation waits at most for others to the same entity (zero: until <see cref="ConfirmationBatcher.Flush"/>).</param>
/// <param name="MaxIds">Ids waiting for one entity that are sent at once: what an entity holds beyond its calls in flight, per silo.</param>
public sealed record ConfirmationSettings(TimeSpan Interval, int MaxIds)
{
    public static ConfirmationSettings Default { get; } = new(TimeSpan.FromMilliseconds(250), 64);
}
