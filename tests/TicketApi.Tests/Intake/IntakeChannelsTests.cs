using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hotline.TicketApi.Intake;
using Hotline.TicketApi.Tests.Testing;

namespace Hotline.TicketApi.Tests.Intake;

/// <summary>
/// Issue 23, DOMAIN.md "Channels" through a real TicketApi process: the public web form (no key, per-address limit,
/// proof of work, confirmation number, the reporter rule) and the SMS gateway's webhook (its own credential; each
/// message an SMS order, so the SMS reply rate comes from real traffic).
/// </summary>
[TestFixture]
public sealed class IntakeChannelsTests
{
    private const string GatewayKey = "sms-gateway-key-for-tests-0123456789";
    private const int Bits = 8;
    private TestClockHost _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _host = await TestClockHost.StartAsync(new Dictionary<string, string>
    {
        ["Intake:ProofOfWorkBits"] = Bits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Intake:WebFormPerAddressPerHour"] = "3",
        ["Intake:SmsGatewayKeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(GatewayKey))),
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>A client without a key whose connections come from <paramref name="source"/> (127.0.0.x): one citizen's address.</summary>
    private HttpClient Citizen(string source)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = _host.Host.HttpUrl };
    }

    private static async Task<(string Challenge, string Nonce)> SolveAsync(HttpClient citizen)
    {
        var c = await citizen.GetFromJsonAsync<JsonElement>("/api/public/challenge");
        Assert.That(c.GetProperty("bits").GetInt32(), Is.EqualTo(Bits));
        var challenge = c.GetProperty("challenge").GetString()!;
        for (var n = 0; ; n++)
            if (ProofOfWork.LeadingZeroBitsAtLeast(SHA256.HashData(Encoding.UTF8.GetBytes($"{challenge}:{n}")), Bits))
                return (challenge, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient citizen, object fields, (string Challenge, string Nonce)? solved = null)
    {
        var (challenge, nonce) = solved ?? await SolveAsync(citizen);
        var body = JsonSerializer.SerializeToElement(fields).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.ToString());
        body["challenge"] = challenge;
        body["nonce"] = nonce;
        return await citizen.PostAsJsonAsync("/api/public/orders", body);
    }

    [Test]
    public async Task A_web_form_order_gets_a_number_and_a_report_hides_the_reporter_from_the_department()
    {
        using var citizen = Citizen("127.0.0.11");
        var response = await SubmitAsync(citizen, new { content = "the market weighs short", nature = "report", name = "Li Lei", contact = "13900001234", address = "East market" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var confirmation = await response.Content.ReadFromJsonAsync<JsonElement>();
        var number = confirmation.GetProperty("number").GetString()!;
        Assert.That(number, Does.Match("^WO[0-9]{8}$"));
        Assert.That(confirmation.GetProperty("reporterConfidential").GetBoolean(), Is.True);

        var id = long.Parse(number[2..], System.Globalization.CultureInfo.InvariantCulture);
        var order = await _host.OrderAsync(id);
        Assert.That((order.GetProperty("channel").GetString(), order.GetProperty("callerName").GetString()), Is.EqualTo(("WebForm", "Li Lei")));
        await _host.PostAsync(_host.Admin, $"/api/workorders/{id}/dispatch", new { departmentId = "roads", nature = "report" });
        var seenByDepartment = (await _host.Roads.GetFromJsonAsync<JsonElement>($"/api/workorders/{id}")).GetProperty("order");
        Assert.Multiple(() =>
        {
            Assert.That(seenByDepartment.GetProperty("callerName").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(seenByDepartment.GetProperty("callerNumber").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(seenByDepartment.GetProperty("reporterHidden").GetBoolean(), Is.True);
        });
    }

    [Test]
    public async Task The_form_reads_the_configured_natures_without_a_key()
    {
        using var citizen = Citizen("127.0.0.16");
        var natures = await citizen.GetFromJsonAsync<JsonElement>("/api/public/natures");
        var codes = natures.EnumerateArray().Select(n => n.GetProperty("code").GetString()).ToList();
        Assert.That(codes, Is.EqualTo(new[] { "consultation", "help", "complaint", "report", "suggestion", "praise" }));
        Assert.That(natures.EnumerateArray().Single(n => n.GetProperty("code").GetString() == "report").GetProperty("confidentialReporter").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Without_a_valid_proof_of_work_nothing_is_stored_and_a_challenge_is_spent_once()
    {
        using var citizen = Citizen("127.0.0.12");
        var before = (await _host.Admin.GetFromJsonAsync<JsonElement>("/api/workorders?pageSize=1")).GetProperty("total").GetInt32();
        var noWork = await citizen.PostAsJsonAsync("/api/public/orders", new { content = "x", contact = "1" });
        Assert.That(noWork.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var solved = await SolveAsync(citizen);
        var failing = Enumerable.Range(0, 1000).Select(n => "x" + n)
            .First(n => !ProofOfWork.LeadingZeroBitsAtLeast(SHA256.HashData(Encoding.UTF8.GetBytes($"{solved.Challenge}:{n}")), Bits));
        var wrong = await SubmitAsync(citizen, new { content = "x", contact = "1" }, (solved.Challenge, failing));
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a nonce that does not reach the bits");
        // (Another address from here on: every POST counts against an address's limit, refused ones included.)
        using var second = Citizen("127.0.0.15");
        Assert.That((await SubmitAsync(second, new { content = "first", contact = "1" }, solved)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var replay = await SubmitAsync(second, new { content = "replayed", contact = "1" }, solved);
        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await replay.Content.ReadAsStringAsync(), Does.Contain("already used"));
        var after = (await _host.Admin.GetFromJsonAsync<JsonElement>("/api/workorders?pageSize=1")).GetProperty("total").GetInt32();
        Assert.That(after, Is.EqualTo(before + 1));
    }

    [Test]
    public async Task The_limit_is_per_address()
    {
        using var busy = Citizen("127.0.0.13");
        using var other = Citizen("127.0.0.14");
        for (var i = 0; i < 3; i++)
            Assert.That((await SubmitAsync(busy, new { content = $"flood {i}", contact = "1" })).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await SubmitAsync(busy, new { content = "flood 4", contact = "1" })).StatusCode, Is.EqualTo((HttpStatusCode)429));
        Assert.That((await SubmitAsync(other, new { content = "someone else", contact = "2" })).StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task Sms_messages_become_sms_orders_once_and_the_sms_reply_rate_counts_them()
    {
        var monday = await _host.MondayMorningAsync();
        using var gateway = new HttpClient { BaseAddress = _host.Host.HttpUrl };
        var message = new { messageId = "gw-" + Guid.NewGuid().ToString("N"), from = "13700001111", text = "streetlight out on Elm Road" };
        Assert.That((await gateway.PostAsJsonAsync("/api/intake/sms", message)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "no credential");
        gateway.DefaultRequestHeaders.Authorization = new("Bearer", TestClockHost.AdminKey);
        Assert.That((await gateway.PostAsJsonAsync("/api/intake/sms", message)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "another credential");
        gateway.DefaultRequestHeaders.Authorization = new("Bearer", GatewayKey);
        var created = await gateway.PostAsJsonAsync("/api/intake/sms", message);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var number = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;
        var redelivered = await gateway.PostAsJsonAsync("/api/intake/sms", message);
        Assert.That(redelivered.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await redelivered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString(), Is.EqualTo(number));
        var late = await gateway.PostAsJsonAsync("/api/intake/sms", new { messageId = "gw-" + Guid.NewGuid().ToString("N"), from = "13700002222", text = "bin not emptied" });
        var lateNumber = (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!;

        long Id(string n) => long.Parse(n[2..], System.Globalization.CultureInfo.InvariantCulture);
        var order = await _host.OrderAsync(Id(number));
        Assert.That((order.GetProperty("channel").GetString(), order.GetProperty("callerNumber").GetString()), Is.EqualTo(("Sms", "13700001111")));
        await _host.PostAsync(_host.Admin, $"/api/workorders/{Id(number)}/close", new { resolution = "replied by SMS: repair booked" });
        await _host.SetClockAsync(monday.AddDays(1));
        await _host.PostAsync(_host.Admin, $"/api/workorders/{Id(lateNumber)}/close", new { resolution = "replied by SMS the next day" });

        var total = await _host.MetricsTotalAsync(monday.AddMinutes(-1), monday.AddHours(1));
        Assert.Multiple(() =>
        {
            Assert.That(total.GetProperty("smsReceived").GetInt64(), Is.EqualTo(2));
            Assert.That(total.GetProperty("smsAnsweredSameDay").GetInt64(), Is.EqualTo(1));
            Assert.That(total.GetProperty("smsReplyRate").GetDouble(), Is.EqualTo(0.5));
        });
    }
}
