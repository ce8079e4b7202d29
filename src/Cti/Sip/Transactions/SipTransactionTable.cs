using System.Collections.Concurrent;
using Hotline.Cti.Sip.Messages;

namespace Hotline.Cti.Sip.Transactions;

/// <summary>
/// All live transactions, keyed per §17.1.3 (client) and §17.2.3 (server) in one concurrent table; an entry
/// removes itself when its machine terminates.
/// </summary>
public sealed class SipTransactionTable
{
    private readonly ConcurrentDictionary<string, SipTransaction> _items = new(StringComparer.Ordinal);

    public int Count => _items.Count;

    /// <summary>Adds a new transaction; false if one with the same key exists (a retransmission race).</summary>
    public bool TryAdd(SipTransaction transaction)
    {
        if (!_items.TryAdd(transaction.Key, transaction)) return false;
        transaction.OnTerminated(t => _items.TryRemove(new KeyValuePair<string, SipTransaction>(t.Key, t)));
        if (transaction.State == SipTransactionState.Terminated) _items.TryRemove(transaction.Key, out _);
        return true;
    }

    /// <summary>The client transaction a response belongs to (§17.1.3), if any.</summary>
    public SipClientTransaction? MatchResponse(SipMessage response) =>
        SipTransactionKey.ForResponse(response) is { } key && _items.TryGetValue(key, out var t) ? t as SipClientTransaction : null;

    /// <summary>The server transaction a request belongs to (§17.2.3), ACK matching its INVITE, if any.</summary>
    public SipServerTransaction? MatchRequest(SipMessage request) =>
        _items.TryGetValue(SipTransactionKey.ForServer(request), out var t) ? t as SipServerTransaction : null;

    /// <summary>The INVITE server transaction a CANCEL refers to (§9.2: same key, method INVITE).</summary>
    public ServerInviteTransaction? MatchCancelled(SipMessage cancel) =>
        _items.TryGetValue(SipTransactionKey.ForServer(cancel, SipMethods.Invite), out var t) ? t as ServerInviteTransaction : null;
}
