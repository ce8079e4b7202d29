namespace Hotline.Cti.Media.Srtp;

/// <summary>
/// RFC 3711 §3.3.2 replay list as a sliding window of 64 indices behind the highest authenticated one
/// (the RFC's minimum is 64). Checked before authentication, updated only after it passes.
/// </summary>
internal struct SrtpReplayWindow
{
    public const int Size = 64;

    private ulong _seen;
    private bool _any;

    /// <summary>The highest index authenticated so far (valid once <see cref="HasHighest"/>).</summary>
    public long Highest { get; private set; }

    public readonly bool HasHighest => _any;

    /// <summary>True when <paramref name="index"/> is new: ahead of the window, or in it and not yet seen.</summary>
    public readonly bool IsFresh(long index)
    {
        if (index < 0) return false;
        if (!_any || index > Highest) return true;
        var delta = Highest - index;
        return delta < Size && (_seen & (1UL << (int)delta)) == 0;
    }

    /// <summary>Records an authenticated index.</summary>
    public void Accept(long index)
    {
        if (!_any || index > Highest)
        {
            var shift = _any ? index - Highest : Size;
            _seen = shift >= Size ? 0 : _seen << (int)shift;
            _seen |= 1;
            Highest = index;
            _any = true;
            return;
        }
        _seen |= 1UL << (int)(Highest - index);
    }
}
