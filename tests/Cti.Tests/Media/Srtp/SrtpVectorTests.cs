using Hotline.Cti.Media.Srtp;

namespace Hotline.Cti.Tests.Media.Srtp;

/// <summary>RFC 3711 Appendix B test vectors, plus libsrtp's reference packets (test/srtp_driver.c).</summary>
public class SrtpVectorTests
{
    private static readonly byte[] MasterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] MasterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    [TestCase(true, TestName = "B2_aes_cm_keystream_matches_the_rfc_with_the_cpus_aes_instructions")]
    [TestCase(false, TestName = "B2_aes_cm_keystream_matches_the_rfc_with_dotnets_aes_transform")]
    public void B2_aes_cm_keystream_matches_the_rfc(bool aesInstructions)
    {
        using var cm = new AesCounterMode(Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"), aesInstructions);
        if (aesInstructions && !System.Runtime.Intrinsics.X86.Aes.IsSupported) Assert.Ignore("No AES-NI on this CPU.");
        Assert.That(cm.UsesAesInstructions, Is.EqualTo(aesInstructions));
        var iv = Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
        var start = new byte[48];
        cm.Keystream(iv, start);
        Assert.That(Convert.ToHexString(start), Is.EqualTo(
            "E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0"));
        // The end of the RFC's 65282-block segment: counters FEFF, FF00, FF01.
        var tail = new byte[48];
        cm.Keystream(Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF"), tail);
        Assert.That(Convert.ToHexString(tail), Is.EqualTo(
            "EC8CDF7398607CB0F2D21675EA9EA1E4362B7C3C6773516318A077D7FC5073AE6A2CC3787889374FBEB4C81B17BA6C44"));
    }

    [Test]
    public void The_aes_instruction_path_and_the_transform_path_give_the_same_keystream()
    {
        if (!System.Runtime.Intrinsics.X86.Aes.IsSupported) Assert.Ignore("No AES-NI on this CPU.");
        var random = new Random(3711);
        for (var n = 0; n < 200; n++)
        {
            var key = new byte[16];
            var iv = new byte[16];
            random.NextBytes(key);
            random.NextBytes(iv);
            var length = random.Next(0, 400);
            using var fast = new AesCounterMode(key);
            using var reference = new AesCounterMode(key, useAesInstructions: false);
            var a = new byte[length];
            var b = new byte[length];
            fast.Keystream(iv, a);
            reference.Keystream(iv, b);
            Assert.That(a, Is.EqualTo(b), $"key {Convert.ToHexString(key)} iv {Convert.ToHexString(iv)} length {length}");
        }
    }

    [Test]
    public void B3_key_derivation_matches_the_rfc()
    {
        var key = new byte[16];
        var salt = new byte[14];
        var auth = new byte[94]; // the RFC lists 94 bytes of the auth keystream; we use the first 20
        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, SrtpKeyDerivation.RtpEncryption, key);
        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, SrtpKeyDerivation.RtpSalt, salt);
        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, SrtpKeyDerivation.RtpAuthentication, auth);
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexString(key), Is.EqualTo("C61E7A93744F39EE10734AFE3FF7A087"));
            Assert.That(Convert.ToHexString(salt), Is.EqualTo("30CBBC08863D8C85D49DB34A9AE1"));
            Assert.That(Convert.ToHexString(auth), Is.EqualTo(
                "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE" +
                "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25" +
                "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2"));
        });
    }

    [Test]
    public void Protect_produces_libsrtps_reference_packet_and_unprotect_reverses_it()
    {
        var master = new SrtpMasterKey(MasterKey, MasterSalt);
        using var sender = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, master);
        using var receiver = new SrtpContext(SrtpSuite.AesCm128HmacSha1_80, master);
        var plain = Convert.FromHexString("800F1234DECAFBADCAFEBABE" + "ABABABABABABABABABABABABABABABAB");
        var buffer = new byte[plain.Length + sender.Overhead];
        plain.CopyTo(buffer, 0);
        var length = sender.Protect(buffer, plain.Length);
        Assert.That(Convert.ToHexString(buffer, 0, length), Is.EqualTo(
            "800F1234DECAFBADCAFEBABE4E55DC4CE79978D88CA4D215949D2402B78D6ACC99EA179B8DBB"));
        Assert.That(receiver.Unprotect(buffer.AsSpan(0, length), out var plainLength), Is.EqualTo(SrtpUnprotectResult.Ok));
        Assert.That(buffer.AsSpan(0, plainLength).ToArray(), Is.EqualTo(plain));
    }

    [Test]
    public void Unprotect_reads_libsrtps_reference_srtcp_packet()
    {
        using var receiver = new SrtcpContext(SrtpSuite.AesCm128HmacSha1_80, new SrtpMasterKey(MasterKey, MasterSalt));
        var packet = Convert.FromHexString("81C8000BCAFEBABE7128035BE487B9BDBEF89041F977A5A880000001993E08CD54D6C1230798");
        Assert.That(receiver.Unprotect(packet, out var length), Is.EqualTo(SrtpUnprotectResult.Ok));
        Assert.That(Convert.ToHexString(packet, 0, length), Is.EqualTo("81C8000BCAFEBABE" + "ABABABABABABABABABABABABABABABAB"));
    }
}
