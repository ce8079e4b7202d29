using System.Globalization;
using System.Text;
using Hotline.Cti.Sip.Dialogs;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transactions;

namespace Hotline.Cti.Sip.UserAgent;

/// <summary>
/// The implicit subscription a REFER creates (RFC 3515 §2.4.4): NOTIFYs in the REFER's dialog whose body is a
/// <c>message/sipfrag</c> status line (RFC 3420) of the referred request's progress. A 1xx keeps it
/// <c>active</c>; a final status terminates it (<c>terminated;reason=noresource</c>). With <c>Refer-Sub: false</c>
/// (RFC 4488) nothing is sent.
/// </summary>
public sealed class SipReferSubscription
{
    /// <summary>How long an active subscription lasts unless refreshed (RFC 3515 §2.4.4 leaves it to the notifier).</summary>
    public const int ActiveSeconds = 60;

    private readonly SipUserAgent _userAgent;
    private readonly SipDialog _dialog;
    private readonly uint _referCSeq;
    private readonly Lock _gate = new();
    private bool _terminated;

    internal SipReferSubscription(SipUserAgent userAgent, SipDialog dialog, uint referCSeq, bool enabled)
    {
        _userAgent = userAgent;
        _dialog = dialog;
        _referCSeq = referCSeq;
        IsEnabled = enabled;
    }

    /// <summary>False when the REFER carried <c>Refer-Sub: false</c> (RFC 4488 §4): no NOTIFY at all.</summary>
    public bool IsEnabled { get; }

    /// <summary>True once the final NOTIFY was sent (or would have been).</summary>
    public bool IsTerminated
    {
        get { lock (_gate) return _terminated; }
    }

    /// <summary>
    /// Sends the NOTIFY for <paramref name="statusCode"/> (a 1xx or a final status of the referred request) and
    /// completes with its final response; null when nothing was sent (no subscription, already terminated, dialog gone).
    /// </summary>
    public Task<SipMessage?> NotifyAsync(int statusCode, string? reasonPhrase = null, CancellationToken cancellationToken = default)
    {
        if (statusCode is < 100 or > 699) throw new ArgumentOutOfRangeException(nameof(statusCode), "A SIP status is 100-699.");
        var final = statusCode >= 200;
        SipClientTransaction tx;
        lock (_gate)
        {
            if (_terminated) return Task.FromResult<SipMessage?>(null);
            if (final) _terminated = true;
            if (!IsEnabled || _dialog.State == SipDialogState.Terminated) return Task.FromResult<SipMessage?>(null);
            // Built and sent under the lock: the CSeq is taken as it goes out, so a 1xx reported on one thread and the
            // final on another reach the peer in CSeq order, never "active" after "terminated".
            var notify = _dialog.CreateRequest(SipMethods.Notify);
            // RFC 3515 §2.4.6: the id parameter is the CSeq number of the REFER (so several REFERs can be told apart).
            notify.AddHeader(SipHeaderNames.Event, "refer;id=" + _referCSeq.ToString(CultureInfo.InvariantCulture));
            notify.AddHeader("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=" + ActiveSeconds.ToString(CultureInfo.InvariantCulture));
            notify.AddHeader(SipHeaderNames.Contact, _userAgent.ContactHeader(SipAddressResolver.ProtocolOf(_dialog.NextHop())));
            notify.AddHeader(SipHeaderNames.ContentType, "message/sipfrag;version=2.0");
            notify.Body = Encoding.UTF8.GetBytes(Fragment(statusCode, reasonPhrase));
            tx = _userAgent.SendInDialog(_dialog, notify);
        }
        return WaitAsync(tx.FinalResponse, cancellationToken);
    }

    /// <summary>RFC 3420 + RFC 3515 §2.4.5: at least the status line of the referred request's response.</summary>
    public static string Fragment(int statusCode, string? reasonPhrase) =>
        "SIP/2.0 " + statusCode.ToString(CultureInfo.InvariantCulture) + " " + (string.IsNullOrEmpty(reasonPhrase) ? SipReasonPhrases.For(statusCode) : reasonPhrase) + "\r\n";

    private static async Task<SipMessage?> WaitAsync(Task<SipMessage> response, CancellationToken ct) => await response.WaitAsync(ct).ConfigureAwait(false);
}
