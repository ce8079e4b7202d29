using System.Buffers;
using System.Text;

namespace Hotline.Cti.Sip.Messages;

/// <summary>Character classes and small productions of RFC 3261 §25.1.</summary>
internal static class SipGrammar
{
    /// <summary>RFC 3261 §25.1 token: alphanum and <c>-.!%*_+`'~</c>.</summary>
    public static bool IsTokenChar(int c) => (uint)c < 128 && TokenTable[c];

    private const string TokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";

    // One table lookup per character, and whole spans checked with vectorized SearchValues (issue 22: the parser
    // checks every header name of every datagram).
    private static readonly bool[] TokenTable = BuildTokenTable();
    private static readonly SearchValues<char> TokenCharValues = SearchValues.Create(TokenChars);
    private static readonly SearchValues<byte> TokenByteValues = SearchValues.Create(Encoding.ASCII.GetBytes(TokenChars));

    /// <summary>CTLs a header value may not hold bare (§25.1): %x00–08, %x0A–1F (HTAB is allowed) and DEL.</summary>
    private static readonly SearchValues<byte> ControlBytes = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(b => b != '\t').Select(b => (byte)b), (byte)0x7F]);

    private static bool[] BuildTokenTable()
    {
        var table = new bool[128];
        foreach (var c in TokenChars) table[c] = true;
        return table;
    }

    public static bool IsToken(ReadOnlySpan<char> s) => !s.IsEmpty && s.IndexOfAnyExcept(TokenCharValues) < 0;

    public static bool IsToken(ReadOnlySpan<byte> s) => !s.IsEmpty && s.IndexOfAnyExcept(TokenByteValues) < 0;

    /// <summary>RFC 3261 §25.1 word (Call-ID parts): token chars plus <c>()&lt;&gt;:\"/[]?{}</c>.</summary>
    public static bool IsWordChar(char c) =>
        IsTokenChar(c) || c is '(' or ')' or '<' or '>' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '{' or '}';

    /// <summary>
    /// True when a header value holds a control character (%x00–1F except HTAB, or DEL) that is not the second
    /// octet of a quoted-pair inside a quoted-string (RFC 3261 §25.1 quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)).
    /// </summary>
    public static bool HasBareControl(ReadOnlySpan<byte> value)
    {
        // Almost every value holds no control at all: one vectorized scan says so.
        if (value.IndexOfAny(ControlBytes) < 0) return false;
        var inQuotes = false;
        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (inQuotes && b == '\\' && i + 1 < value.Length)
            {
                if (value[i + 1] is (byte)'\r' or (byte)'\n') return true;
                i++;
                continue;
            }
            if (b == '"') inQuotes = !inQuotes;
            else if ((b < 0x20 && b != '\t') || b == 0x7F) return true;
        }
        return false;
    }

    /// <summary>Removes surrounding quotes and resolves <c>\x</c> escapes of a quoted-string (§25.1).</summary>
    public static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"') return value;
        var sb = new StringBuilder(value.Length);
        for (var i = 1; i < value.Length - 1; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length - 1) i++;
            sb.Append(value[i]);
        }
        return sb.ToString();
    }

    /// <summary>Makes a quoted-string, escaping quote and backslash.</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// Splits a header value holding a comma list (RFC 3261 §7.3.1) while respecting quoted strings and
    /// <c>&lt;…&gt;</c> (a URI may contain commas).
    /// </summary>
    public static List<string> SplitList(string value)
    {
        var parts = new List<string>(2);
        var depth = 0;
        var inQuotes = false;
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuotes)
            {
                if (c == '\\') i++;
                else if (c == '"') inQuotes = false;
            }
            else if (c == '"') inQuotes = true;
            else if (c == '<') depth++;
            else if (c == '>' && depth > 0) depth--;
            else if (c == ',' && depth == 0)
            {
                AddPart(value, start, i, parts);
                start = i + 1;
            }
        }
        AddPart(value, start, value.Length, parts);
        return parts;
    }

    private static void AddPart(string value, int start, int end, List<string> parts)
    {
        var part = value.AsSpan(start, end - start).Trim();
        if (!part.IsEmpty) parts.Add(part.ToString());
    }
}
