using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Hotline.Contracts.V1;
using Hotline.EndToEnd.Tests.Calls;

namespace Hotline.EndToEnd.Tests.AfterCall;

/// <summary>
/// Issue 10, outbound calls with real peers: recorded like inbound calls (one WAV, both parties audible), and the agent
/// hanging up first sends the called party to the survey (an RFC 4733 digit from sipp's pcap → the rating).
/// </summary>
public sealed partial class AfterCallPeerTests
{
    private const int PartyHz = 1000; // The called party (sipp gateway) speaks a 1 kHz tone; the baresip agent 600 Hz.

    [Test, Order(4)]
    public async Task An_outbound_call_is_recorded_with_both_parties_and_the_called_party_rates_after_the_agent_hangs_up()
    {
        await PollAsync(async () => await _cti.GetAgentStateAsync(new AgentRequest { AgentId = "a1" }), s => s.Status == AgentStatus.Ready);
        var tone = RtpPcap.WriteTone(_work, PartyHz, seconds: 4);
        var scenario = Path.Combine(_work, "gateway-survey.xml");
        await File.WriteAllTextAsync(scenario, (await File.ReadAllTextAsync(Scenario("gateway-survey.xml"))).Replace("TONE_PCAP", tone, StringComparison.Ordinal));
        await using var gateway = SippPeer.Start(_sipPort, _gatewayPort, ["-sf", scenario], "-m", "1");
        await gateway.WaitBoundAsync(); // sipp listens before the engine dials it.

        var dial = await _cti.DialAsync(new DialRequest { AgentId = "a1", Number = "13900139000" });
        Assert.That(dial.Ok, Is.True, dial.Error);
        await PollAsync(async () => await _cti.GetAgentStateAsync(new AgentRequest { AgentId = "a1" }), s => s.Status == AgentStatus.Talking);
        await PollAsync(async () => await CallRecordAsync(dial.CallId),
            c => c.GetProperty("timeline").EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "Answered"));
        await Task.Delay(1500); // Let both parties talk (real-time audio) before the agent leaves.
        var hangup = await _cti.HangupAsync(new CallControlRequest { AgentId = "a1" });
        Assert.That(hangup.Ok, Is.True, hangup.Error);

        var (code, output) = await gateway.WaitAsync(TimeSpan.FromSeconds(40));
        Assert.That(code, Is.Zero, "the called party heard the survey, pressed 1 and was hung up by the engine: " + output);
        var call = await PollAsync(async () => await CallRecordAsync(dial.CallId),
            c => c.GetProperty("call").GetProperty("complete").GetBoolean());
        var timeline = call.GetProperty("timeline").EnumerateArray().ToList();
        var kinds = timeline.Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.That(kinds, Is.EqualTo(new[] { "Offered", "AgentRinging", "RingEnded", "Answered", "SatisfactionRated", "RecordingAvailable", "Ended" }));
        var rated = timeline[4].GetProperty("event").GetProperty("satisfactionRated");
        var location = timeline[5].GetProperty("event").GetProperty("recordingAvailable").GetProperty("location").GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(rated.GetProperty("score").GetString(), Is.EqualTo("SATISFACTION_SCORE_SATISFIED"));
            Assert.That(rated.GetProperty("direction").GetString(), Is.EqualTo("CALL_DIRECTION_OUTBOUND"));
            Assert.That(timeline[6].GetProperty("event").GetProperty("ended").GetProperty("recording").GetString(), Is.EqualTo(location));
            Assert.That(location, Is.EqualTo("rec:" + dial.CallId), "events name a recording, never a path (issue 14)");
        });

        // One WAV with both sides: the agent's 600 Hz (what the called party heard) and the party's own 1 kHz.
        var file = Directory.EnumerateFiles(Path.Combine(_engine.DataPath, "recordings"), dial.CallId + ".wav", SearchOption.AllDirectories).Single();
        var (agentFrames, partyFrames, _, seconds) = ToneFrames(file);
        TestContext.Out.WriteLine($"recording {seconds:F1} s: {agentFrames} frames with the agent's 600 Hz, {partyFrames} with the party's {PartyHz} Hz");
        Assert.Multiple(() =>
        {
            Assert.That(agentFrames, Is.GreaterThan(25), "the agent is heard in the recording (> 0.5 s)");
            Assert.That(partyFrames, Is.GreaterThan(25), "the called party is heard in the recording (> 0.5 s)");
        });
    }

    /// <summary>
    /// 20 ms frames of a 16-bit mono 8 kHz WAV where 600 Hz / the party's tone carry at least a fifth of the energy, and
    /// the loud frames where neither does (other sound: hold music).
    /// </summary>
    private static (int Agent, int Party, int Other, double Seconds) ToneFrames(string wav)
    {
        var bytes = File.ReadAllBytes(wav);
        var samples = new short[(bytes.Length - 44) / 2];
        Buffer.BlockCopy(bytes, 44, samples, 0, samples.Length * 2);
        int agent = 0, party = 0, other = 0;
        for (var start = 0; start + 160 <= samples.Length; start += 160)
        {
            var frame = samples.AsSpan(start, 160);
            double energy = 0;
            foreach (var x in frame) energy += (double)x * x;
            if (energy / 160 < 300 * 300) continue; // Silence (below about -40 dBFS).
            var (agentShare, partyShare) = (Share(frame, 600, energy), Share(frame, PartyHz, energy));
            if (agentShare > 0.2) agent++;
            if (partyShare > 0.2) party++;
            if (agentShare <= 0.2 && partyShare <= 0.2) other++;
        }
        return (agent, party, other, samples.Length / 8000.0);
    }

    /// <summary>Goertzel: the share of the frame's energy at <paramref name="hz"/> (1 for a pure tone on the bin).</summary>
    private static double Share(ReadOnlySpan<short> frame, int hz, double energy)
    {
        var coeff = 2 * Math.Cos(2 * Math.PI * hz / 8000);
        double s1 = 0, s2 = 0;
        foreach (var x in frame)
        {
            var s0 = x + (coeff * s1) - s2;
            s2 = s1;
            s1 = s0;
        }
        var power = (s1 * s1) + (s2 * s2) - (coeff * s1 * s2);
        return 2 * power / (frame.Length * energy);
    }
}
