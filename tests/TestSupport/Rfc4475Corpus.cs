namespace Hotline.TestSupport;

/// <summary>One RFC 4475 §3 torture message and what the RFC expects of a UAS receiving it.</summary>
public sealed record Rfc4475Case(string File, string Section, string Parser, string Udp, string Tcp)
{
    public byte[] Bytes => System.IO.File.ReadAllBytes(Path.Combine(Rfc4475Corpus.Folder, File + ".dat"));

    public override string ToString() => $"{Section} {File}";
}

/// <summary>The corpus kept in tests/Cti.Tests/Sip/Conformance/Rfc4475 (messages and verdicts.csv).</summary>
public static class Rfc4475Corpus
{
    public static string Folder { get; } = Path.Combine(RepoPaths.Root, "tests", "Cti.Tests", "Sip", "Conformance", "Rfc4475");

    public static IReadOnlyList<Rfc4475Case> All { get; } = Load();

    private static List<Rfc4475Case> Load()
    {
        var cases = new List<Rfc4475Case>();
        foreach (var line in System.IO.File.ReadAllLines(Path.Combine(Folder, "verdicts.csv")))
        {
            if (line.Length == 0 || line[0] == '#' || line.StartsWith("file,", StringComparison.Ordinal)) continue;
            var f = line.Split(',');
            cases.Add(new Rfc4475Case(f[0], f[1], f[2], f[3], f[4]));
        }
        return cases;
    }
}
