using Hotline.AcdEngine.Hosting;

namespace Hotline.AcdEngine.Agents;

/// <summary>What a configuration reload did to the roster.</summary>
/// <param name="Added">Agents new in the configuration (signed out, or signed in when AutoReady).</param>
/// <param name="Removed">Agents no longer configured who were not on a call: signed out and gone.</param>
/// <param name="RemovedAfterCall">Agents no longer configured who are on a call: offered nothing more, gone when it ends.</param>
public sealed record RosterReconfigured(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> RemovedAfterCall);

public sealed partial class AgentRoster
{
    /// <summary>Reason on the sign-out of an agent a reload removed.</summary>
    public const string RemovedReason = "removed from configuration";

    /// <summary>
    /// Applies a reloaded <c>Agents</c> list (validated) without touching anyone's state or call (issue 20, live reload):
    /// an existing agent keeps their state and takes the new user, queues, skills and trainee number at the next offer;
    /// a new one starts signed out (signed in when AutoReady); one no longer listed is signed out, or, while ringing,
    /// talking or in wrap-up, offered nothing more and dropped when that call is over. <paramref name="acd"/>'s wrap-up
    /// applies to calls that end from now on, its busy retry and busy limit to busy rings from now on.
    /// </summary>
    public RosterReconfigured Reconfigure(IReadOnlyList<AgentOptions> configured, IAgentSettings acd)
    {
        List<string> added = [], removed = [], afterCall = [], autoReady = [];
        lock (_gate)
        {
            _wrapUp = TimeSpan.FromSeconds(acd.WrapUpSeconds);
            _busyRetry = TimeSpan.FromSeconds(acd.BusyRetrySeconds);
            _maxBusyInARow = acd.MaxBusyInARow;
            var now = _time.GetUtcNow();
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var o in configured)
            {
                listed.Add(o.Id);
                var queues = new HashSet<string>(o.Queues, StringComparer.Ordinal);
                var skills = new Dictionary<string, int>(o.Skills, StringComparer.Ordinal);
                if (_agents.TryGetValue(o.Id, out var agent))
                {
                    agent.User = o.User;
                    agent.Queues = queues;
                    agent.Skills = skills;
                    agent.AutoReady = o.AutoReady;
                    agent.TraineeNumber = o.SpokenNumber;
                    agent.Retired = false;
                    continue;
                }
                _agents.Add(o.Id, new Agent(o.Id, o.User, queues, skills, o.AutoReady) { Since = now, IdleSince = now, TraineeNumber = o.SpokenNumber });
                added.Add(o.Id);
                if (o.AutoReady) autoReady.Add(o.Id);
            }
            foreach (var agent in _agents.Values.Where(a => !listed.Contains(a.Id)).ToList())
            {
                agent.Retired = true;
                agent.Queues = new HashSet<string>(StringComparer.Ordinal); // No queue: the dispatcher offers them nothing more.
                DropIfRetired(agent);
                (_agents.ContainsKey(agent.Id) ? afterCall : removed).Add(agent.Id);
            }
            // Users re-keyed from scratch: a configured agent wins a SIP user over one that is only finishing a call.
            _byUser.Clear();
            foreach (var a in _agents.Values.OrderBy(a => a.Retired)) _byUser.TryAdd(a.User, a);
        }
        foreach (var id in autoReady) TryChange(() => SignIn(id, ready: true));
        return new RosterReconfigured(added, removed, afterCall);
    }

    /// <summary>A removed agent leaves once no call holds them: signed out (recorded like any sign-out), then forgotten.</summary>
    private void DropIfRetired(Agent agent)
    {
        if (!agent.Retired || agent.State is AgentState.Ringing or AgentState.Talking or AgentState.WrapUp) return;
        agent.Retired = false; // Once: the sign-out below comes back through Apply.
        if (agent.State != AgentState.SignedOut) Apply(agent, AgentState.SignedOut, RemovedReason, null);
        _agents.Remove(agent.Id);
        if (_byUser.TryGetValue(agent.User, out var byUser) && byUser == agent) _byUser.Remove(agent.User);
    }
}
