using System.Net;
using Hotline.Cti.Sip.Admission;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.AcdEngine.Sip;

/// <summary>What the admission limits refused since start (<c>GET /api/sip/stats</c>, <c>GET /api/stats</c>).</summary>
public sealed record SipAdmissionFigures(long DialogsThrottled, long RegistersThrottled, long CallsOverSourceCap, long CallsOverAccountLimits,
    long AuthFailures, int SourcesTracked);

/// <summary>
/// The engine's limits on what reaches it from outside a dialog: token buckets per source address for new dialogs
/// and for REGISTER (checked by the user-agent core before it keeps any state), a cap on calls at once per source,
/// and per account a rate and a cap on calls its phone places (<c>Sip:Limits</c>, <c>Sip:Accounts:N:*</c>).
/// Every refusal is counted; a warning naming the source is logged at most once per 10 s per source.
/// </summary>
public sealed partial class SipAdmission
{
    private readonly AdmissionLimits<IPAddress> _dialogs;
    private readonly AdmissionLimits<IPAddress> _registers;
    private readonly Dictionary<string, AdmissionLimits<string>> _accounts;
    private readonly Dictionary<string, bool> _canDialOut;
    private readonly HashSet<IPAddress> _trusted;
    private readonly SipStack _stack;
    private readonly ILogger<SipAdmission> _logger;

    public SipAdmission(SipStack stack, TimeProvider time, ILogger<SipAdmission> logger)
    {
        _stack = stack;
        _logger = logger;
        var o = stack.Options;
        _dialogs = new AdmissionLimits<IPAddress>(new AdmissionRule(o.Limits.DialogsPerSecond, o.Limits.DialogBurst, o.Limits.MaxCallsPerSource), time);
        _registers = new AdmissionLimits<IPAddress>(new AdmissionRule(o.Limits.RegistersPerSecond, o.Limits.RegisterBurst, int.MaxValue), time);
        _accounts = o.Accounts.ToDictionary(a => a.User,
            a => new AdmissionLimits<string>(new AdmissionRule(a.CallsPerMinute / 60.0, a.CallsPerMinute, a.MaxConcurrentCalls), time), StringComparer.Ordinal);
        _canDialOut = o.Accounts.ToDictionary(a => a.User, a => a.CanDialOut, StringComparer.Ordinal);
        // A trusted proxy (Kamailio) brings every phone's and caller's requests from one address: it is limited per
        // phone at its own edge, so the per-source limits here would throttle the whole hotline.
        _trusted = [.. o.Limits.TrustedSources.Concat(o.TrustedProxies).Select(IPAddress.Parse).Select(Normalize)];
    }

    public SipAdmissionFigures Figures() => new(_dialogs.Refused - Interlocked.Read(ref _overSourceCap), _registers.Refused,
        Interlocked.Read(ref _overSourceCap), _accounts.Values.Sum(a => a.Refused), _stack.Authenticator.Failures, _dialogs.Tracked + _registers.Tracked);

    private long _overSourceCap;

    public bool CanDialOut(string user) => _canDialOut.GetValueOrDefault(user);

    /// <summary>The user-agent core's admission hook: one token per new out-of-dialog request from the source.</summary>
    public bool Admit(SipMessage request, SipEndPoint source)
    {
        var address = Normalize(source.Address.Address);
        if (_trusted.Contains(address)) return true;
        var limits = request.Method == SipMethods.Register ? _registers : _dialogs;
        if (limits.TryAdmit(address) == AdmissionRefusal.None) return true;
        if (limits.ShouldLog(address, out var refused)) LogThrottled(address.ToString(), request.Method == SipMethods.Register ? "REGISTER" : "new-dialog", refused);
        return false;
    }

    /// <summary>Opens one call from <paramref name="source"/> under the per-source cap; null when over it.</summary>
    public IDisposable? TryOpenSourceCall(IPAddress source)
    {
        var address = Normalize(source);
        if (_trusted.Contains(address)) return NoLimit.Instance;
        if (_dialogs.TryOpen(address, out var call) == AdmissionRefusal.None) return call;
        Interlocked.Increment(ref _overSourceCap);
        if (_dialogs.ShouldLog(address, out var refused)) LogOverCap(address.ToString(), _dialogs.Rule.MaxConcurrent, refused);
        return null;
    }

    /// <summary>Opens one call placed by <paramref name="user"/>'s phone (rate, then cap); the refusal when over.</summary>
    public AdmissionRefusal TryOpenAccountCall(string user, out IDisposable? call)
    {
        call = null;
        if (!_accounts.TryGetValue(user, out var limits)) return AdmissionRefusal.TooManyCalls;
        var refusal = limits.TryAdmit(user);
        if (refusal == AdmissionRefusal.None) refusal = limits.TryOpen(user, out call);
        if (refusal != AdmissionRefusal.None && limits.ShouldLog(user, out var refused)) LogAccountLimited(user, refusal, refused);
        return refusal;
    }

    private static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    private sealed class NoLimit : IDisposable
    {
        public static readonly NoLimit Instance = new();
        public void Dispose() { }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP: throttling {Kind} requests from {Source} ({Refused} refused since the last report)")]
    private partial void LogThrottled(string source, string kind, long refused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP: {Source} is at its cap of {Cap} calls at once ({Refused} refused since the last report)")]
    private partial void LogOverCap(string source, int cap, long refused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP: account {User} refused a call: {Refusal} ({Refused} since the last report)")]
    private partial void LogAccountLimited(string user, AdmissionRefusal refusal, long refused);
}
