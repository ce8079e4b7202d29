namespace Hotline.Cti.Media.Mixing;

/// <summary>How a member takes part in a mix.</summary>
public enum MixerRole
{
    /// <summary>Hears everyone else and is heard by everyone.</summary>
    Speaker,
    /// <summary>Hears everyone, is heard by no one (a supervisor monitoring).</summary>
    ListenOnly,
    /// <summary>Hears everyone, is heard only by the whisper target (a supervisor coaching an agent).</summary>
    Whisper,
}

/// <summary>
/// An N-party mixer driven by the media clock through its members: in each tick the first member to ask computes
/// the sum of every speaker's inbound frame once (32-bit, so no overflow while summing); each member then hears
/// the sum minus its own voice, saturated to 16 bits (clipping-safe). A member whose packets are lost contributes
/// silence for that tick; nobody waits for anyone.
/// </summary>
public sealed class Mixer
{
    private readonly Lock _gate = new();
    private readonly int[] _sum = new int[AudioFormat.SamplesPerFrame];
    private Member[] _members = [];
    private long _mixedTick = -1;

    public int Count => Volatile.Read(ref _members).Length;

    public IReadOnlyList<MediaSession> Sessions => [.. Volatile.Read(ref _members).Select(m => m.Session)];

    /// <summary>
    /// Adds a session (it stops hearing whatever it heard before). <paramref name="whisperTarget"/> is required for
    /// <see cref="MixerRole.Whisper"/> and must already be a member.
    /// </summary>
    public void Add(MediaSession session, MixerRole role = MixerRole.Speaker, MediaSession? whisperTarget = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (role == MixerRole.Whisper && whisperTarget is null)
            throw new ArgumentException("A whisper member needs a whisper target.", nameof(whisperTarget));
        var member = new Member(this, session, role, whisperTarget);
        lock (_gate)
        {
            if (whisperTarget is not null && Array.FindIndex(_members, m => m.Session == whisperTarget) < 0)
                throw new InvalidOperationException("The whisper target is not in this mixer.");
            var without = _members.Where(m => m.Session != session).ToArray();
            Volatile.Write(ref _members, [.. without, member]);
        }
        session.HearFeed(new AudioFeed(member, detach: () => RemoveMember(member)));
    }

    /// <summary>Removes a session; it hears silence afterwards.</summary>
    public void Remove(MediaSession session)
    {
        Member? member;
        lock (_gate) member = Array.Find(_members, m => m.Session == session);
        if (member is null) return;
        RemoveMember(member);
        session.StopAudio();
    }

    private void RemoveMember(Member member)
    {
        lock (_gate) Volatile.Write(ref _members, _members.Where(m => m != member).ToArray());
    }

    // Once per tick, whichever member's session ticks first: pull every member's inbound frame and sum speakers.
    private void MixIfNeeded(long tick)
    {
        lock (_gate)
        {
            if (tick <= _mixedTick) return; // mixed already (or a lane behind asks for an older period: reuse)
            _mixedTick = tick;
            Array.Clear(_sum);
            foreach (var m in _members)
            {
                var voice = m.Session.ReadInbound(tick);
                voice.CopyTo(m.Frame);
                if (m.Role != MixerRole.Speaker) continue;
                for (var i = 0; i < _sum.Length; i++) _sum[i] += voice[i];
            }
        }
    }

    private void Fill(Member self, long tick, Span<short> frame)
    {
        MixIfNeeded(tick);
        lock (_gate)
        {
            var members = _members;
            for (var i = 0; i < frame.Length; i++)
            {
                var value = _sum[i] - (self.Role == MixerRole.Speaker ? self.Frame[i] : 0);
                frame[i] = (short)Math.Clamp(value, short.MinValue, short.MaxValue);
            }
            // Whisperers are heard only by their target.
            foreach (var w in members)
            {
                if (w.Role != MixerRole.Whisper || w.WhisperTarget != self.Session) continue;
                for (var i = 0; i < frame.Length; i++)
                    frame[i] = (short)Math.Clamp(frame[i] + w.Frame[i], short.MinValue, short.MaxValue);
            }
        }
    }

    private sealed class Member(Mixer mixer, MediaSession session, MixerRole role, MediaSession? whisperTarget) : IAudioSource
    {
        public MediaSession Session { get; } = session;
        public MixerRole Role { get; } = role;
        public MediaSession? WhisperTarget { get; } = whisperTarget;
        public short[] Frame { get; } = new short[AudioFormat.SamplesPerFrame];

        public bool ReadFrame(Span<short> frame)
        {
            mixer.Fill(this, Session.CurrentTick, frame);
            return true;
        }
    }
}
