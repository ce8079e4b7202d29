using System.Globalization;

namespace Hotline.Cti.Sip.Messages;

/// <summary>CSeq (RFC 3261 §20.16): a sequence number below 2^31 and a method.</summary>
public readonly record struct SipCSeq(uint Number, string Method)
{
    public static bool TryParse(ReadOnlySpan<byte> value, out SipCSeq cseq)
    {
        cseq = default;
        var s = value.Trim(" \t"u8);
        var sp = s.IndexOfAny(" \t"u8);
        if (sp <= 0) return false;
        var digits = s[..sp];
        if (digits.Length > 10) return false;
        ulong n = 0;
        foreach (var d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9') return false;
            n = n * 10 + (ulong)(d - '0');
        }
        if (n >= 1UL << 31) return false;
        var method = s[sp..].Trim(" \t"u8);
        if (!SipGrammar.IsToken(method)) return false;
        cseq = new SipCSeq((uint)n, SipMethods.FromBytes(method));
        return true;
    }

    public override string ToString() => Number.ToString(CultureInfo.InvariantCulture) + " " + Method;
}

/// <summary>Method names (RFC 3261 §7.1 and extensions); known ones are shared string instances.</summary>
public static class SipMethods
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Bye = "BYE";
    public const string Cancel = "CANCEL";
    public const string Options = "OPTIONS";
    public const string Register = "REGISTER";
    public const string Info = "INFO";
    public const string Update = "UPDATE";
    public const string Prack = "PRACK";
    public const string Subscribe = "SUBSCRIBE";
    public const string Notify = "NOTIFY";
    public const string Message = "MESSAGE";
    public const string Refer = "REFER";

    private static readonly string[] Known = [Invite, Ack, Bye, Cancel, Options, Register, Info, Update, Prack, Subscribe, Notify, Message, Refer];

    /// <summary>A method this stack recognises (RFC 3261 and the extensions above); others are 501 (§8.2.1, §21.5.2).</summary>
    public static bool IsKnown(string method)
    {
        foreach (var k in Known) if (ReferenceEquals(k, method) || string.Equals(k, method, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>Methods are case-sensitive (§7.1): a known one returns the shared instance, no allocation.</summary>
    public static string FromBytes(ReadOnlySpan<byte> method)
    {
        foreach (var k in Known)
        {
            if (method.Length != k.Length) continue;
            var same = true;
            for (var i = 0; i < k.Length && same; i++) same = method[i] == k[i];
            if (same) return k;
        }
        return System.Text.Encoding.ASCII.GetString(method);
    }
}
