using Hotline.AcdEngine.Calls;

namespace Hotline.AcdEngine.Tests.Calls;

/// <summary>The call's stage table: every listed move is taken, every other one is refused and changes nothing.</summary>
[TestFixture]
public sealed class CallLifecycleTests
{
    private static readonly CallStage[] Stages = Enum.GetValues<CallStage>();

    /// <summary>The drawing of docs/acd.md, move by move: a change to the table must change this list too.</summary>
    private static readonly (CallStage From, CallStage To)[] Legal =
    [
        (CallStage.Offered, CallStage.Greeting), (CallStage.Offered, CallStage.Ringing), (CallStage.Offered, CallStage.Overflow), (CallStage.Offered, CallStage.Ended),
        (CallStage.Greeting, CallStage.Ivr), (CallStage.Greeting, CallStage.Queued), (CallStage.Greeting, CallStage.Overflow), (CallStage.Greeting, CallStage.Ended),
        (CallStage.Ivr, CallStage.Queued), (CallStage.Ivr, CallStage.Overflow), (CallStage.Ivr, CallStage.Ended),
        (CallStage.Queued, CallStage.Queued), (CallStage.Queued, CallStage.Ringing), (CallStage.Queued, CallStage.Overflow), (CallStage.Queued, CallStage.Ended),
        (CallStage.Ringing, CallStage.Talking), (CallStage.Ringing, CallStage.Queued), (CallStage.Ringing, CallStage.Ended),
        (CallStage.Talking, CallStage.Consulting), (CallStage.Talking, CallStage.Transferring), (CallStage.Talking, CallStage.Survey), (CallStage.Talking, CallStage.Ended),
        (CallStage.Consulting, CallStage.Talking), (CallStage.Consulting, CallStage.ThreeWay), (CallStage.Consulting, CallStage.Survey), (CallStage.Consulting, CallStage.Ended),
        (CallStage.ThreeWay, CallStage.Talking), (CallStage.ThreeWay, CallStage.Transferred), (CallStage.ThreeWay, CallStage.Survey), (CallStage.ThreeWay, CallStage.Ended),
        (CallStage.Transferring, CallStage.Talking), (CallStage.Transferring, CallStage.Transferred), (CallStage.Transferring, CallStage.Survey), (CallStage.Transferring, CallStage.Ended),
        (CallStage.Transferred, CallStage.Ended),
        (CallStage.Survey, CallStage.Ended),
        (CallStage.Overflow, CallStage.Ended),
    ];

    private static IEnumerable<TestCaseData> LegalMoves() => Legal.Select(m => new TestCaseData(m.From, m.To).SetName($"{m.From} to {m.To} is legal"));

    private static IEnumerable<TestCaseData> IllegalMoves() =>
        from f in Stages
        from t in Stages
        where !Legal.Contains((f, t))
        select new TestCaseData(f, t).SetName($"{f} to {t} is refused");

    [TestCaseSource(nameof(LegalMoves))]
    public void A_listed_move_is_taken(CallStage from, CallStage to)
    {
        var life = At(from);
        Assert.That(life.TryMove(to), Is.True);
        Assert.That(life.Stage, Is.EqualTo(to));
    }

    [TestCaseSource(nameof(IllegalMoves))]
    public void Any_other_move_is_refused_and_changes_nothing(CallStage from, CallStage to)
    {
        var life = At(from);
        Assert.That(life.TryMove(to), Is.False);
        var ex = Assert.Throws<CallStageException>(() => life.Move(to));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.From, Is.EqualTo(from));
            Assert.That(ex.To, Is.EqualTo(to));
            Assert.That(ex.Message, Does.Contain("c-test"));
            Assert.That(life.Stage, Is.EqualTo(from));
        });
    }

    [Test]
    public void Every_stage_can_reach_ended_and_every_stage_is_reachable_from_offered()
    {
        var reached = new HashSet<CallStage> { CallStage.Offered };
        var frontier = new Queue<CallStage>([CallStage.Offered]);
        while (frontier.TryDequeue(out var s))
            foreach (var next in CallLifecycle.Moves[s].Where(reached.Add)) frontier.Enqueue(next);
        Assert.That(reached, Is.EquivalentTo(Stages));
        Assert.That(Stages.Where(s => s != CallStage.Ended && !CallLifecycle.IsLegal(s, CallStage.Ended)), Is.Empty);
    }

    [Test]
    public void The_compare_and_set_move_only_applies_in_the_named_stage()
    {
        var life = At(CallStage.Consulting);
        Assert.That(life.TryMove(CallStage.Talking, CallStage.Consulting), Is.False, "not talking now");
        Assert.That(life.TryMove(CallStage.Consulting, CallStage.ThreeWay), Is.True);
        Assert.That(life.TryMove(CallStage.Consulting, CallStage.Talking), Is.False, "the consult already joined");
        Assert.That(life.Stage, Is.EqualTo(CallStage.ThreeWay));
    }

    [TestCase(CallStage.Talking)]
    [TestCase(CallStage.Consulting)]
    [TestCase(CallStage.Transferring)]
    public void Hold_is_legal_while_talking_consulting_or_transferring_and_not_twice(CallStage stage)
    {
        var life = At(stage);
        Assert.That(life.TryHold(), Is.True);
        Assert.That(life.IsOnHold, Is.True);
        Assert.That(life.TryHold(), Is.False, "already on hold");
        Assert.That(life.TryResume(), Is.True);
        Assert.That(life.TryResume(), Is.False, "not on hold any more");
        Assert.That(life.IsOnHold, Is.False);
    }

    [Test]
    public void Hold_is_refused_in_every_other_stage()
    {
        foreach (var stage in Stages.Where(s => !CallLifecycle.HoldableStages.Contains(s)))
        {
            var life = At(stage);
            Assert.That(life.TryHold(), Is.False, stage.ToString());
            Assert.That(life.IsOnHold, Is.False, stage.ToString());
        }
    }

    [Test]
    public void A_held_caller_must_be_resumed_before_the_survey_or_the_conference_but_may_always_end()
    {
        var life = At(CallStage.Consulting);
        life.TryHold();
        Assert.That(life.TryMove(CallStage.ThreeWay), Is.False);
        Assert.That(life.TryMove(CallStage.Survey), Is.False);
        Assert.That(life.TryMove(CallStage.Talking), Is.True, "the consult failed: back to the agent, still held");
        Assert.That(life.IsOnHold, Is.True);
        Assert.That(life.End(), Is.True);
        Assert.That(life.IsOnHold, Is.False);
        Assert.That(life.End(), Is.False, "ended once");
    }

    [TestCase(CallStage.Greeting, "ivr")]
    [TestCase(CallStage.Ivr, "ivr")]
    [TestCase(CallStage.Queued, "queued")]
    [TestCase(CallStage.Ringing, "queued")]
    [TestCase(CallStage.Talking, "talking")]
    [TestCase(CallStage.ThreeWay, "talking")]
    [TestCase(CallStage.Survey, "ivr")]
    [TestCase(CallStage.Overflow, "ivr")]
    public void The_operator_phase_follows_the_stage(CallStage stage, string phase) =>
        Assert.That(At(stage).Phase, Is.EqualTo(phase));

    /// <summary>A lifecycle brought to <paramref name="stage"/> through legal moves only (shortest path from Offered).</summary>
    private static CallLifecycle At(CallStage stage)
    {
        var life = new CallLifecycle("c-test");
        foreach (var step in PathTo(stage)) life.Move(step);
        return life;
    }

    private static List<CallStage> PathTo(CallStage target)
    {
        var previous = new Dictionary<CallStage, CallStage>();
        var frontier = new Queue<CallStage>([CallStage.Offered]);
        while (frontier.TryDequeue(out var s) && s != target)
            foreach (var next in CallLifecycle.Moves[s])
                if (next != CallStage.Offered && previous.TryAdd(next, s)) frontier.Enqueue(next);
        var path = new List<CallStage>();
        for (var s = target; s != CallStage.Offered; s = previous[s]) path.Insert(0, s);
        return path;
    }
}
