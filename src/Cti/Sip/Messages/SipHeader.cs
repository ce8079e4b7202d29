using System.Text;

namespace Hotline.Cti.Sip.Messages;

/// <summary>
/// One header line as received or built: name and value are byte slices, turned into strings only when asked.
/// Unknown headers are kept verbatim so they survive a round trip.
/// </summary>
public readonly struct SipHeader
{
    private readonly ReadOnlyMemory<byte> _name;

    internal SipHeader(SipHeaderId id, ReadOnlyMemory<byte> name, ReadOnlyMemory<byte> value)
    {
        Id = id;
        _name = name;
        RawValue = value;
    }

    /// <summary>A header to send; a known name is written in its canonical long form.</summary>
    public SipHeader(string name, string value)
    {
        Id = SipHeaderNames.Identify(name);
        _name = Id == SipHeaderId.Other ? Encoding.UTF8.GetBytes(name) : ReadOnlyMemory<byte>.Empty;
        RawValue = Encoding.UTF8.GetBytes(value);
    }

    public SipHeaderId Id { get; }

    /// <summary>The value bytes, trimmed, folding already replaced by spaces.</summary>
    public ReadOnlyMemory<byte> RawValue { get; }

    /// <summary>Canonical name for known headers (compact forms expanded), else the name as received.</summary>
    public string Name => Id == SipHeaderId.Other ? Encoding.UTF8.GetString(_name.Span) : SipHeaderNames.NameOf(Id);

    /// <summary>The value as a string (allocates).</summary>
    public string Value => Encoding.UTF8.GetString(RawValue.Span);

    internal ReadOnlySpan<byte> NameBytes => _name.Span;

    public override string ToString() => $"{Name}: {Value}";
}
