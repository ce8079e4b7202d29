using Hotline.Cti.Calls;

namespace Hotline.AcdEngine.Routing;

/// <summary>
/// Stand-in until the SIP glue registers the real <see cref="ITelephony"/> (registration uses TryAdd, so the real
/// one wins): no calls come in, and dialling fails.
/// </summary>
internal sealed class UnavailableTelephony : ITelephony
{
    public event EventHandler<IncomingCallEventArgs>? IncomingCall
    {
        add { }
        remove { }
    }

    public IOutboundCall Dial(string target, DialOptions options) =>
        throw new InvalidOperationException("No telephony is configured: the SIP stack is not registered.");

    public void Bridge(ICallLeg a, ICallLeg b) =>
        throw new InvalidOperationException("No telephony is configured: the SIP stack is not registered.");

    public IConference CreateConference() =>
        throw new InvalidOperationException("No telephony is configured: the SIP stack is not registered.");
}
