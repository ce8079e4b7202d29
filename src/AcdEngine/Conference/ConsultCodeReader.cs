namespace Hotline.AcdEngine.Conference;

/// <summary>
/// Reads the consult feature code from the agent's DTMF during a call: <c>*8</c> + department code + <c>#</c>
/// (issue 8; digits arrive as RFC 4733 events or SIP INFO). Any digit that breaks the pattern starts over, so
/// ordinary key presses never trigger a consult. One reader per agent leg; fed from that leg's DTMF events on the
/// call's <see cref="Calls.CallOwner"/> (one key at a time, in order), so it needs no lock of its own.
/// </summary>
public sealed class ConsultCodeReader(string prefix, int maxCodeLength = 6)
{
    private readonly System.Text.StringBuilder _keys = new();

    /// <summary>Feeds a digit; returns the department code when <c>#</c> completes a full sequence, else null.</summary>
    public string? Feed(char digit)
    {
        _keys.Append(digit);
        var keys = _keys.ToString();
        if (keys.Length <= prefix.Length)
        {
            if (!prefix.StartsWith(keys, StringComparison.Ordinal)) Restart(digit);
            return null;
        }
        if (!keys.StartsWith(prefix, StringComparison.Ordinal)) { Restart(digit); return null; }
        var code = keys[prefix.Length..];
        if (digit == '#')
        {
            _keys.Clear();
            code = code[..^1];
            return code.Length > 0 ? code : null;
        }
        if (!char.IsAsciiDigit(digit) || code.Length > maxCodeLength) Restart(digit);
        return null;
    }

    /// <summary>Starts over, keeping the digit if it can begin a new sequence (e.g. "**8" still works).</summary>
    private void Restart(char digit)
    {
        _keys.Clear();
        if (prefix.Length > 0 && digit == prefix[0]) _keys.Append(digit);
    }
}
