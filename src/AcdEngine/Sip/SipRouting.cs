using System.Collections.Concurrent;
using Hotline.AcdEngine.Hosting;
using Hotline.Cti.Calls.Sip;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.UserAgent;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Sip;

/// <summary>
/// What the engine does with each out-of-dialog request: OPTIONS → 200 with Allow, REGISTER → registrar,
/// INVITE → the echo number (a media echo), the hotline number and the agents' feature codes (to the ACD through
/// <see cref="SipTelephony"/>), a number claimed with <see cref="Claim"/>, or 404.
/// </summary>
public sealed partial class SipRouting(SipStack stack, SipTelephony telephony, IOptions<AcdOptions> acd, TimeProvider time, ILogger<SipRouting> logger)
{
    private readonly ConcurrentDictionary<string, Action<IncomingInviteSession>> _numbers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _acdNumbers = AcdNumbers(acd.Value);
    private readonly HashSet<string> _accounts = new(stack.Options.Accounts.Select(a => a.User), StringComparer.Ordinal);

    private static HashSet<string> AcdNumbers(AcdOptions o) =>
        new(new[] { o.HotlineNumber, o.FeatureCodes.SignIn, o.FeatureCodes.SignOut, o.FeatureCodes.Ready, o.FeatureCodes.NotReady }
            .Where(n => !string.IsNullOrEmpty(n)), StringComparer.Ordinal);

    /// <summary>Routes INVITEs for <paramref name="number"/> to <paramref name="handler"/> (the ACD claims the hotline number).</summary>
    public void Claim(string number, Action<IncomingInviteSession> handler) => _numbers[number] = handler;

    public void Attach()
    {
        stack.UserAgent.RequestReceived += OnRequest;
        stack.UserAgent.IncomingCall += OnIncomingCall;
    }

    public void Detach()
    {
        stack.UserAgent.RequestReceived -= OnRequest;
        stack.UserAgent.IncomingCall -= OnIncomingCall;
    }

    private void OnRequest(object? sender, SipRequestEventArgs e)
    {
        var request = e.Request;
        switch (request.Message.Method)
        {
            case SipMethods.Options:
                // RFC 3261 §11.2: 200 with what we accept.
                request.Respond(200, configure: r =>
                {
                    r.AddHeader(SipHeaderNames.Allow, stack.UserAgent.Options.Allow);
                    r.AddHeader("Accept", "application/sdp");
                    r.AddHeader(SipHeaderNames.Supported, "");
                });
                break;
            case SipMethods.Register:
                stack.Registrar.Handle(request);
                break;
            default:
                // §8.2.1: a method we know but do not accept outside a dialog.
                request.Respond(405, configure: r => r.AddHeader(SipHeaderNames.Allow, stack.UserAgent.Options.Allow));
                break;
        }
    }

    private void OnIncomingCall(object? sender, SipIncomingCallEventArgs e)
    {
        var session = e.Session;
        var number = session.DialedUser;
        if (number == stack.Options.EchoNumber)
        {
            LogEcho(CallerMask.Mask(session.CallerUser));
            _ = AnswerEchoAsync(session);
            return;
        }
        if (_numbers.TryGetValue(number, out var handler))
        {
            handler(session);
            return;
        }
        if (_acdNumbers.Contains(number))
        {
            // The ACD owns the leg from here (CallRouter): answer, queue, or refuse. 488 when the offer is unusable.
            telephony.Offer(session);
            return;
        }
        if (_accounts.Contains(session.CallerUser))
        {
            // One of our phones dialling out (issue 10: agents dial from their softphone): the ACD's outbound dial plan
            // decides (CallRouter.AgentDial); a number it does not take is refused there with 404.
            // The INVITE is not digest-challenged yet: the From user is trusted on this network (see docs/sip.md).
            telephony.Offer(session);
            return;
        }
        LogUnknownNumber(CallerMask.Mask(session.CallerUser), number);
        session.Reject(404);
    }

    /// <summary>The echo test number: the caller hears their own voice (RTP echoed by the media core).</summary>
    private async Task AnswerEchoAsync(IncomingInviteSession session)
    {
        try
        {
            if (stack.Options.EchoAnswerDelayMilliseconds > 0)
            {
                session.SendProvisional(180);
                await Task.Delay(TimeSpan.FromMilliseconds(stack.Options.EchoAnswerDelayMilliseconds), time);
                if (session.State != SipSessionState.Offering) return; // Cancelled while ringing.
            }
            var leg = telephony.CreateInboundLeg(session);
            if (leg is null) return; // 488/503 already sent.
            leg.Echo();
            await leg.AnswerAsync(CancellationToken.None);
        }
        catch (TimeoutException)
        {
            LogNoAck(session.CallId);
        }
        catch (InvalidOperationException)
        {
            // Cancelled before we answered: nothing to do.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP: echo call from {Caller}")]
    private partial void LogEcho(string caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP: call from {Caller} to unknown number {Number}: 404")]
    private partial void LogUnknownNumber(string caller, string number);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP: no ACK for our 200 on call {CallId}; sent BYE")]
    private partial void LogNoAck(string callId);
}

/// <summary>Masks a caller number for Information-level logs (STYLE.md: caller numbers masked).</summary>
public static class CallerMask
{
    public static string Mask(string number) =>
        number.Length <= 4 ? new string('*', number.Length) : number[..3] + new string('*', number.Length - 5) + number[^2..];
}
