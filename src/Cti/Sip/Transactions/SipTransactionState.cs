namespace Hotline.Cti.Sip.Transactions;

/// <summary>States of the four RFC 3261 §17 machines, plus RFC 6026 Accepted.</summary>
public enum SipTransactionState
{
    /// <summary>Client INVITE: request sent, nothing heard (§17.1.1.2).</summary>
    Calling,
    /// <summary>Non-INVITE: client request sent / server request received, nothing sent (§17.1.2.2, §17.2.2).</summary>
    Trying,
    Proceeding,
    Completed,
    /// <summary>Server INVITE: ACK for a non-2xx received (§17.2.1).</summary>
    Confirmed,
    /// <summary>RFC 6026 §7.1: INVITE answered with 2xx; absorbs retransmissions until Timer L/M.</summary>
    Accepted,
    Terminated,
}

/// <summary>Why a transaction ended.</summary>
public enum SipTransactionEnd
{
    Normal,
    /// <summary>Timer B, F or H fired (§17.1.1.2, §17.1.2.2, §17.2.1).</summary>
    Timeout,
    /// <summary>The transport reported an error (§17.1.4).</summary>
    TransportError,
}
