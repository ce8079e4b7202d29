using System.Security.Cryptography;

namespace Hotline.Cti.Media.Srtp;

/// <summary>
/// An SRTP master key (128 bits) and master salt (112 bits), as carried base64-encoded in an SDES
/// <c>inline:</c> key parameter (RFC 4568 §6.1: key || salt, 30 bytes, 40 base64 characters).
/// </summary>
public sealed class SrtpMasterKey
{
    public const int KeyLength = 16;
    public const int SaltLength = 14;

    private readonly byte[] _key;
    private readonly byte[] _salt;

    public SrtpMasterKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
    {
        if (key.Length != KeyLength) throw new ArgumentException($"An SRTP master key is {KeyLength} bytes.", nameof(key));
        if (salt.Length != SaltLength) throw new ArgumentException($"An SRTP master salt is {SaltLength} bytes.", nameof(salt));
        _key = key.ToArray();
        _salt = salt.ToArray();
    }

    public ReadOnlySpan<byte> Key => _key;
    public ReadOnlySpan<byte> Salt => _salt;

    /// <summary>A fresh key and salt from the system's cryptographic random source (RFC 3711 §8.2: never reused).</summary>
    public static SrtpMasterKey Generate()
    {
        Span<byte> bytes = stackalloc byte[KeyLength + SaltLength];
        RandomNumberGenerator.Fill(bytes);
        var key = new SrtpMasterKey(bytes[..KeyLength], bytes[KeyLength..]);
        CryptographicOperations.ZeroMemory(bytes);
        return key;
    }

    /// <summary>The key-params value after <c>inline:</c>.</summary>
    public string ToBase64()
    {
        Span<byte> bytes = stackalloc byte[KeyLength + SaltLength];
        _key.CopyTo(bytes);
        _salt.CopyTo(bytes[KeyLength..]);
        var text = Convert.ToBase64String(bytes);
        CryptographicOperations.ZeroMemory(bytes);
        return text;
    }

    /// <summary>Reads the base64 key||salt of an <c>inline:</c> parameter; false unless it is exactly 30 bytes.</summary>
    public static bool TryFromBase64(string text, out SrtpMasterKey? key)
    {
        key = null;
        Span<byte> bytes = stackalloc byte[KeyLength + SaltLength + 3];
        if (!Convert.TryFromBase64String(text, bytes, out var written) || written != KeyLength + SaltLength) return false;
        key = new SrtpMasterKey(bytes[..KeyLength], bytes[KeyLength..(KeyLength + SaltLength)]);
        CryptographicOperations.ZeroMemory(bytes);
        return true;
    }
}
