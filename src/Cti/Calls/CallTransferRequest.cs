namespace Hotline.Cti.Calls;

/// <summary>
/// The dialog an attended transfer replaces (RFC 3891 Replaces in the Refer-To): the SIP Call-ID and both tags.
/// The engine matches it against its own legs (<see cref="ICallLeg.IsDialog"/>).
/// </summary>
public sealed record TransferReplaces(string CallId, string ToTag, string FromTag);

/// <summary>How a transfer the phone asked for is going: each report becomes a NOTIFY (RFC 3515 §2.4.4).</summary>
public interface ITransferProgress
{
    /// <summary>
    /// A status of the transfer target's call: 1xx while it is tried or rings, 200 when it answered (the transfer
    /// is done), a failure (486, 408, 404…) when it could not be reached. A final status ends the reporting.
    /// </summary>
    void Report(int sipStatus, string? reason = null);
}

/// <summary>
/// The remote phone asked to transfer this leg's call (SIP REFER): a blind transfer to <see cref="Target"/>, or an
/// attended one when <see cref="Replaces"/> names the consultation dialog. The handler calls <see cref="Accept"/>
/// (the phone gets 202 and "100 Trying") and later reports the outcome; if nobody accepts, the phone gets
/// <see cref="RefuseStatus"/>.
/// </summary>
public sealed class TransferRequestedEventArgs : EventArgs
{
    private readonly Func<ITransferProgress> _accept;
    private ITransferProgress? _progress;

    public TransferRequestedEventArgs(string target, string targetUser, TransferReplaces? replaces, Func<ITransferProgress> accept)
    {
        Target = target;
        TargetUser = targetUser;
        Replaces = replaces;
        _accept = accept;
    }

    /// <summary>The Refer-To URI (without its header part), e.g. <c>sip:1@hotline.example</c>.</summary>
    public string Target { get; }

    /// <summary>Its user part: a department code, an agent's user, or a number ("" when the URI has none).</summary>
    public string TargetUser { get; }

    public TransferReplaces? Replaces { get; }

    /// <summary>The status the phone gets when nobody accepts: 603 unless a handler sets 403 (not allowed), 404 (no such target)…</summary>
    public int RefuseStatus { get; set; } = 603;

    public bool IsAccepted => _progress is not null;

    /// <summary>Takes the transfer on (idempotent).</summary>
    public ITransferProgress Accept() => _progress ??= _accept();
}
