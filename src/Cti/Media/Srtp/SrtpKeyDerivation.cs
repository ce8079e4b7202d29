namespace Hotline.Cti.Media.Srtp;

/// <summary>RFC 3711 §4.3: session keys from the master key and salt (AES-CM PRF, key derivation rate 0).</summary>
public static class SrtpKeyDerivation
{
    /// <summary>RFC 3711 §4.3.2 labels (SRTP 0–2, SRTCP 3–5).</summary>
    public const byte RtpEncryption = 0x00, RtpAuthentication = 0x01, RtpSalt = 0x02,
        RtcpEncryption = 0x03, RtcpAuthentication = 0x04, RtcpSalt = 0x05;

    /// <summary>
    /// Derives <paramref name="destination"/>.Length bytes for <paramref name="label"/>: with kdr = 0, r = 0, so
    /// x = (label || 0^48) XOR master_salt and the output is the AES-CM keystream from IV = x · 2^16 (§4.3.1, §4.3.3).
    /// </summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> destination)
    {
        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt[..SrtpMasterKey.SaltLength].CopyTo(iv);
        iv[7] ^= label; // key_id = label || r (48 bits), right-aligned in the 112-bit salt
        using var prf = new AesCounterMode(masterKey);
        prf.Keystream(iv, destination);
    }
}
