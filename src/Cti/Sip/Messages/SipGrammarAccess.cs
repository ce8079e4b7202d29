namespace Hotline.Cti.Sip.Messages;

/// <summary>The few grammar routines other layers need (list splitting, quoted strings), without exposing the rest.</summary>
public static class SipGrammarAccess
{
    /// <summary>Splits a comma list, respecting quoted strings and angle brackets (§7.3.1).</summary>
    public static List<string> SplitList(string value) => SipGrammar.SplitList(value);

    /// <summary>Removes quotes and <c>\</c> escapes from a quoted-string; other text is returned as is.</summary>
    public static string Unquote(string value) => SipGrammar.Unquote(value);

    /// <summary>Makes a quoted-string.</summary>
    public static string Quote(string value) => SipGrammar.Quote(value);
}
