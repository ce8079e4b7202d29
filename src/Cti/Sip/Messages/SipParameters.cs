using System.Text;

namespace Hotline.Cti.Sip.Messages;

/// <summary>
/// <c>;name=value</c> parameters of a URI or header (RFC 3261 §19.1.1, §25.1), order kept, names matched
/// case-insensitively. A parameter without a value has a null value.
/// </summary>
public sealed class SipParameters
{
    private readonly List<KeyValuePair<string, string?>> _items = [];

    public int Count => _items.Count;

    public IReadOnlyList<KeyValuePair<string, string?>> Items => _items;

    public bool Contains(string name) => IndexOf(name) >= 0;

    public string? this[string name]
    {
        get
        {
            var i = IndexOf(name);
            return i < 0 ? null : _items[i].Value;
        }
        set
        {
            var i = IndexOf(name);
            if (i < 0) _items.Add(new(name, value));
            else _items[i] = new(_items[i].Key, value);
        }
    }

    public void Remove(string name)
    {
        var i = IndexOf(name);
        if (i >= 0) _items.RemoveAt(i);
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _items.Count; i++)
            if (string.Equals(_items[i].Key, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    /// <summary>
    /// Parses <c>;a=b;c</c> starting at <paramref name="text"/> (which begins with ';' or is empty). Quoted values
    /// keep their quotes. Returns false on an empty or malformed name.
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<char> text, char separator, SipParameters into)
    {
        var rest = text.Trim();
        while (!rest.IsEmpty)
        {
            if (rest[0] != separator) return false;
            rest = rest[1..].TrimStart();
            var end = 0;
            var inQuotes = false;
            while (end < rest.Length)
            {
                var c = rest[end];
                if (inQuotes)
                {
                    if (c == '\\') end++;
                    else if (c == '"') inQuotes = false;
                }
                else if (c == '"') inQuotes = true;
                else if (c == separator) break;
                end++;
            }
            if (inQuotes) return false;
            var item = rest[..Math.Min(end, rest.Length)];
            var eq = item.IndexOf('=');
            var name = (eq < 0 ? item : item[..eq]).Trim();
            if (name.IsEmpty || !SipGrammar.IsToken(name)) return false;
            string? value = eq < 0 ? null : item[(eq + 1)..].Trim().ToString();
            into._items.Add(new(name.ToString(), value));
            rest = end < rest.Length ? rest[end..] : [];
        }
        return true;
    }

    internal void AppendTo(StringBuilder sb, char separator = ';')
    {
        foreach (var (k, v) in _items)
        {
            sb.Append(separator).Append(k);
            if (v is not null) sb.Append('=').Append(v);
        }
    }
}
