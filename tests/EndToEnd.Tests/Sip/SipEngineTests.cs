using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Hotline.TestSupport;

namespace Hotline.EndToEnd.Tests.Sip;

/// <summary>The AcdEngine's SIP stack as a real process, driven by real sipp over UDP on loopback.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)] // One of the fixtures that only wait on processes: may run beside one other (AssemblyInfo.cs).
public sealed class SipEngineTests
{
    private HostProcess _host = null!;
    private int _sipPort;

    [OneTimeSetUp]
    public async Task StartEngine()
    {
        _sipPort = FreePort.Next();
        _host = await HostProcess.StartHealthyAsync("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = _sipPort.ToString(CultureInfo.InvariantCulture),
            // The echo number rings a little before answering, so CANCEL has something to cancel.
            ["Sip:EchoAnswerDelayMilliseconds"] = "1000",
        });
    }

    [OneTimeTearDown]
    public async Task StopEngine() => await _host.DisposeAsync();

    [Test]
    public async Task Options_is_answered_200_with_Allow()
    {
        var (code, output) = await Sipp.RunAsync(_sipPort, "options-allow.xml", "hotline", calls: 50, rate: 50);
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public async Task Register_with_digest_authentication_creates_a_binding()
    {
        var (code, output) = await Sipp.RunAsync(_sipPort, "register.xml", "1001", 1, 10,
            "-inf", Path.Combine(RepoPaths.Root, "tools", "sipp", "users.csv"), "-au", "1001", "-ap", "agent1001");
        Assert.That(code, Is.Zero, output);
        var bindings = await GetRegistrationsAsync();
        Assert.That(bindings.Select(b => b.User), Does.Contain("1001"));
    }

    [Test]
    public async Task Register_with_a_wrong_password_is_refused()
    {
        var (code, output) = await Sipp.RunAsync(_sipPort, "register.xml", "1002", 1, 10,
            "-inf", Path.Combine(RepoPaths.Root, "tools", "sipp", "users.csv"), "-au", "1001", "-ap", "not-the-password");
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(output, Does.Contain("401"));
    }

    [Test]
    public async Task Echo_number_answers_and_the_call_ends_with_bye()
    {
        var (code, output) = await Sipp.RunAsync(_sipPort, "echo-call.xml", "*43", calls: 10, rate: 10);
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public async Task Echo_call_over_tcp_is_framed_and_answered_on_the_same_connection()
    {
        var (code, output) = await Sipp.RunAsync(_sipPort, "echo-call.xml", "*43", 3, 10, "-t", "t1");
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public async Task A_non_public_number_without_credentials_gets_407()
    {
        var (code, output) = await Sipp.RunAsync(_sipPort, "unchallenged-number.xml", "99999", calls: 3, rate: 10);
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public async Task Unknown_number_from_an_authenticated_phone_gets_404()
    {
        var (code, output) = await Sipp.RunAsync(_sipPort, "agent-unknown-number.xml", "99999", 1, 10,
            "-inf", Path.Combine(RepoPaths.Root, "tools", "sipp", "users.csv"), "-au", "1001", "-ap", "agent1001");
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public async Task Cancel_before_answer_gets_200_and_487()
    {
        var (code, output) = await Sipp.RunAsync(_sipPort, "cancel.xml", "*43", calls: 3, rate: 10);
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public async Task Retransmitted_invite_is_absorbed_and_gets_the_same_final_response()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)udp.Client.LocalEndPoint!;
        var invite = RawInvite(local.Port, "88888", "z9hG4bK-retrans-" + Guid.NewGuid().ToString("N"));
        var target = new IPEndPoint(IPAddress.Loopback, _sipPort);
        await udp.SendAsync(invite, target);
        var first = await ReceiveFinalAsync(udp);
        await udp.SendAsync(invite, target);
        var second = await ReceiveFinalAsync(udp);
        Assert.Multiple(() =>
        {
            Assert.That(first, Does.StartWith("SIP/2.0 407"), "not a public number: credentials first (RFC 3261 §22.3)");
            // The copy matched the same server transaction: the identical response (same To tag, same nonce) came back,
            // not a second challenge.
            Assert.That(ToTag(second), Is.EqualTo(ToTag(first)));
            Assert.That(Header(second, "Proxy-Authenticate"), Is.EqualTo(Header(first, "Proxy-Authenticate")));
        });
    }

    private static string Header(string response, string name) =>
        response.Split("\r\n").First(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));

    [Test]
    public async Task Malformed_request_gets_400_and_the_engine_keeps_serving()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)udp.Client.LocalEndPoint!;
        var bad = Encoding.ASCII.GetBytes(
            $"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{local.Port};branch=z9hG4bK-bad1\r\n" +
            "From: <sip:a@b>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: bad1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        await udp.SendAsync(bad, new IPEndPoint(IPAddress.Loopback, _sipPort));
        var response = await ReceiveFinalAsync(udp);
        Assert.That(response, Does.StartWith("SIP/2.0 400 Bad Request (CSeq method does not match)"));
        var (code, output) = await Sipp.RunAsync(_sipPort, "options.xml", "hotline", calls: 2, rate: 10);
        Assert.That(code, Is.Zero, output);
    }

    private static byte[] RawInvite(int localPort, string number, string branch) => Encoding.ASCII.GetBytes(
        $"INVITE sip:{number}@127.0.0.1 SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP 127.0.0.1:{localPort};branch={branch};rport\r\n" +
        "Max-Forwards: 70\r\n" +
        $"From: <sip:13800001234@127.0.0.1:{localPort}>;tag=retrans\r\n" +
        $"To: <sip:{number}@127.0.0.1>\r\n" +
        $"Call-ID: {branch}@test\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Content-Length: 0\r\n\r\n");

    private static async Task<string> ReceiveFinalAsync(UdpClient udp)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var result = await udp.ReceiveAsync(cts.Token);
            var text = Encoding.ASCII.GetString(result.Buffer);
            if (!text.StartsWith("SIP/2.0 1", StringComparison.Ordinal)) return text;
        }
    }

    private static string ToTag(string response)
    {
        var to = response.Split("\r\n").First(l => l.StartsWith("To:", StringComparison.OrdinalIgnoreCase));
        return to[(to.IndexOf(";tag=", StringComparison.Ordinal) + 5)..];
    }

    private async Task<Registration[]> GetRegistrationsAsync()
    {
        using var http = new HttpClient(_host.Credentials());
        return await http.GetFromJsonAsync<Registration[]>(new Uri(_host.HttpUrl, "/api/sip/registrations")) ?? [];
    }

    private sealed record Registration(string User, string Contact, int ExpiresInSeconds);
}

/// <summary>Bad Sip:* settings stop the engine with a message naming the key (exit code 2).</summary>
[TestFixture]
public sealed class SipConfigurationTests
{
    [TestCase("Sip:Host", "not-an-ip")]
    [TestCase("Sip:EchoNumber", "echo")]
    [TestCase("Sip:Accounts:0:Password", "x")]
    public async Task Bad_sip_setting_stops_the_engine_naming_the_key(string key, string value)
    {
        await using var host = HostProcess.Start("AcdEngine", new Dictionary<string, string>
        {
            ["Sip:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            [key] = value,
        });
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), host.Process.Output);
            Assert.That(host.Process.Output, Does.Contain("Configuration error").And.Contain(key));
        });
    }
}

/// <summary>A SIP port already taken stops the engine with a configuration error naming Sip:Port.</summary>
[TestFixture]
public sealed class SipPortInUseTests
{
    [Test]
    public async Task Taken_sip_port_stops_the_engine_naming_the_key()
    {
        var port = FreePort.Next();
        using var squatter = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        await using var host = HostProcess.Start("AcdEngine", new Dictionary<string, string> { ["Sip:Port"] = port.ToString(CultureInfo.InvariantCulture) });
        var exitCode = await host.Process.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), host.Process.Output);
            Assert.That(host.Process.Output, Does.Contain("Configuration error").And.Contain("Sip:Port"));
        });
    }
}
