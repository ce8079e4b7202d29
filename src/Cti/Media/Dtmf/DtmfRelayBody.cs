namespace Hotline.Cti.Media.Dtmf;

/// <summary>
/// Parses a SIP INFO body of type <c>application/dtmf-relay</c> (the de-facto Cisco format):
/// <c>Signal=5\r\nDuration=160\r\n</c>. Duration is in milliseconds; absent means 100.
/// </summary>
public static class DtmfRelayBody
{
    public const string ContentType = "application/dtmf-relay";

    /// <summary>Returns false, changing nothing, when the body carries no valid DTMF signal.</summary>
    public static bool TryParse(ReadOnlySpan<char> body, out char digit, out int durationMs)
    {
        digit = default;
        durationMs = 100;
        var found = false;
        foreach (var range in body.SplitAny("\r\n"))
        {
            var line = body[range].Trim();
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (key.Equals("Signal", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Length == 1 && TelephoneEvent.FromDigit(value[0]) is not null)
                {
                    digit = char.ToUpperInvariant(value[0]);
                    found = true;
                }
                else if (int.TryParse(value, out var code) && code is >= 0 and <= 15)
                {
                    digit = TelephoneEvent.ToDigit((byte)code)!.Value; // "Signal=10" means '*', "11" '#'.
                    found = true;
                }
                else
                {
                    return false;
                }
            }
            else if (key.Equals("Duration", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(value, out var d) && d is > 0 and < 60_000)
            {
                durationMs = d;
            }
        }
        return found;
    }
}
