using System.Text.RegularExpressions;

namespace Hotline.AcdEngine.Dialing;

/// <summary>Which numbers agents may call and where the INVITE goes (<c>Outbound:Gateway</c>, <c>Allow</c>, <c>Deny</c>).</summary>
public sealed class DialPlan
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);
    private readonly Regex[] _allow;
    private readonly Regex[] _deny;
    private readonly string _gatewayHost;
    private readonly bool _allowInternational;
    private readonly string _countryCode;
    private readonly string _internationalPrefix;

    public DialPlan(OutboundOptions options)
    {
        _allowInternational = options.AllowInternational;
        _countryCode = options.CountryCode;
        _internationalPrefix = options.InternationalPrefix;
        _allow = [.. options.Allow.Select(p => new Regex(p, RegexOptions.CultureInvariant, MatchTimeout))];
        _deny = [.. options.Deny.Select(p => new Regex(p, RegexOptions.CultureInvariant, MatchTimeout))];
        _gatewayHost = GatewayHost(options.Gateway) ?? "";
    }

    public bool HasGateway => _gatewayHost.Length > 0;

    /// <summary>The gateway URI for <paramref name="number"/>, or an error saying why it may not be called.</summary>
    public bool TryResolve(string? number, out string normalized, out string target, out string error)
    {
        normalized = new string((number ?? "").Where(c => c is not (' ' or '-')).ToArray());
        target = "";
        error = "";
        if (!HasGateway) { error = "Outbound calls are not configured (Outbound:Gateway is empty)."; return false; }
        if (normalized.Length is 0 or > 32 || !normalized.All(c => char.IsAsciiDigit(c) || c == '+'))
        {
            error = "The number must be 1-32 digits (an optional leading +).";
            return false;
        }
        if (!_allowInternational && IsInternational(normalized))
        {
            error = "The dial plan does not allow international numbers (Outbound:AllowInternational).";
            return false;
        }
        // +<home country code><national number>: tried as dialled within the country (with and without the trunk 0).
        var candidates = normalized.StartsWith('+') && normalized.StartsWith("+" + _countryCode, StringComparison.Ordinal) && _countryCode.Length > 0
            ? new[] { normalized[(1 + _countryCode.Length)..], "0" + normalized[(1 + _countryCode.Length)..], normalized }
            : [normalized];
        var n = candidates.FirstOrDefault(c => c.Length > 0 && _allow.Any(r => r.IsMatch(c)) && !_deny.Any(r => r.IsMatch(c)));
        if (n is null)
        {
            error = "The dial plan does not allow calling this number.";
            return false;
        }
        normalized = n;
        target = $"sip:{normalized}@{_gatewayHost}";
        return true;
    }

    /// <summary>A number that leaves the country: the international prefix, or + with a country code not ours.</summary>
    private bool IsInternational(string number) =>
        (_internationalPrefix.Length > 0 && number.StartsWith(_internationalPrefix, StringComparison.Ordinal)) ||
        (number.StartsWith('+') && (_countryCode.Length == 0 || !number.StartsWith("+" + _countryCode, StringComparison.Ordinal)));

    /// <summary>"sip:[user@]host[:port][;params]" → "host[:port][;params]"; null when not a sip/sips URI with a host.</summary>
    public static string? GatewayHost(string? gateway)
    {
        if (string.IsNullOrWhiteSpace(gateway)) return null;
        var rest = gateway.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) ? gateway[4..]
            : gateway.StartsWith("sips:", StringComparison.OrdinalIgnoreCase) ? gateway[5..] : null;
        if (rest is null) return null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0) rest = rest[(at + 1)..];
        return rest.Length == 0 || rest.Contains(' ', StringComparison.Ordinal) ? null : rest;
    }

    /// <summary>Configuration problems (for the options validator).</summary>
    public static IEnumerable<string> Problems(OutboundOptions o)
    {
        if (o.Gateway.Length > 0 && GatewayHost(o.Gateway) is null)
            yield return $"Outbound:Gateway must be a SIP URI such as sip:gw.example.org:5060 (got '{o.Gateway}').";
        if (o.CallerId.Length > 0 && !Regex.IsMatch(o.CallerId, "^[0-9+]{1,32}$", RegexOptions.None, MatchTimeout))
            yield return "Outbound:CallerId must be 1-32 digits.";
        if (o.AgentRingTimeoutSeconds is < 3 or > 120) yield return "Outbound:AgentRingTimeoutSeconds must be between 3 and 120.";
        if (o.NumberRingTimeoutSeconds is < 3 or > 300) yield return "Outbound:NumberRingTimeoutSeconds must be between 3 and 300.";
        if (string.IsNullOrWhiteSpace(o.Queue)) yield return "Outbound:Queue is required.";
        if (!Regex.IsMatch(o.CountryCode, "^[1-9][0-9]{0,3}$", RegexOptions.None, MatchTimeout)) yield return "Outbound:CountryCode must be 1-4 digits (e.g. 86).";
        if (!Regex.IsMatch(o.InternationalPrefix, "^[0-9]{1,4}$", RegexOptions.None, MatchTimeout)) yield return "Outbound:InternationalPrefix must be 1-4 digits (e.g. 00).";
        foreach (var p in o.Allow.Concat(o.Deny))
        {
            string? bad = null;
            try
            {
                _ = new Regex(p, RegexOptions.None, MatchTimeout);
            }
            catch (ArgumentException ex)
            {
                bad = ex.Message;
            }
            if (bad is not null) yield return $"Outbound dial-plan pattern '{p}' is not a valid regular expression: {bad}";
        }
    }
}
