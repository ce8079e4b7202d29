using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Conference;

/// <summary>
/// A headless baresip that takes menu commands while it runs (cons.so on a UDP port): an agent's softphone on which
/// the test types <c>/transfer sip:…</c> (baresip's blind transfer by REFER). Plays <c>source</c>, hears nothing.
/// </summary>
internal sealed class ConsolePhone : IAsyncDisposable
{
    private readonly int _consolePort;

    private ConsolePhone(string folder, int consolePort, PeerProcess process)
    {
        Folder = folder;
        _consolePort = consolePort;
        Process = process;
    }

    public string Folder { get; }
    public PeerProcess Process { get; }

    public static ConsolePhone Start(string account, string source, int seconds)
    {
        var folder = Path.Combine(Path.GetTempPath(), "hotline-consphone-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = FreePort.Next(2);
        var console = FreePort.Next();
        File.WriteAllText(Path.Combine(folder, "config"), string.Join('\n',
            "module_path /usr/lib/baresip/modules",
            $"sip_listen 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            "module g711.so", "module aufile.so", "module cons.so",
            $"cons_listen 127.0.0.1:{console.ToString(CultureInfo.InvariantCulture)}",
            $"audio_source aufile,{source}",
            "audio_player aufile,/dev/null",
            "module_app menu.so", "module_app account.so",
            "answermode auto", ""));
        File.WriteAllText(Path.Combine(folder, "accounts"), account + "\n");
        return new ConsolePhone(folder, console, PeerProcess.Start("baresip", ["-f", folder, "-t", seconds.ToString(CultureInfo.InvariantCulture)]));
    }

    /// <summary>Types a menu command (e.g. <c>/transfer sip:1@host</c>) on the phone's console.</summary>
    public async Task CommandAsync(string command)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), new IPEndPoint(IPAddress.Loopback, _consolePort));
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
