using System.Collections.Concurrent;
using Hotline.Cti.Media.Mixing;

namespace Hotline.Cti.Calls.Sip;

/// <summary>
/// An <see cref="IConference"/> over one <see cref="Mixer"/>: each member hears the sum of the others. Adding and
/// removing are serialised, so a leg removed while another thread adds it is either in both the mixer and
/// <see cref="Members"/> or in neither (never left mixing while the conference has forgotten it).
/// </summary>
internal sealed class MixerConference(Mixer mixer) : IConference
{
    private readonly ConcurrentDictionary<ICallLeg, byte> _members = new();
    private readonly Lock _gate = new();

    public IReadOnlyCollection<ICallLeg> Members => [.. _members.Keys];

    public void Add(ICallLeg leg, bool listenOnly = false)
    {
        lock (_gate)
        {
            mixer.Add(SipTelephony.MediaOf(leg), listenOnly ? MixerRole.ListenOnly : MixerRole.Speaker);
            _members[leg] = 0;
        }
    }

    public void AddWhisper(ICallLeg leg, ICallLeg target)
    {
        lock (_gate)
        {
            mixer.Add(SipTelephony.MediaOf(leg), MixerRole.Whisper, SipTelephony.MediaOf(target));
            _members[leg] = 0;
        }
    }

    public void Remove(ICallLeg leg)
    {
        lock (_gate)
        {
            if (!_members.TryRemove(leg, out _)) return;
            var media = SipTelephony.MediaOf(leg);
            mixer.Remove(media);
            media.StopAudio();
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var leg in _members.Keys) Remove(leg);
        return ValueTask.CompletedTask;
    }
}
