using System.Runtime.ExceptionServices;

namespace Hotline.AcdEngine.Calls;

/// <summary>
/// The one owner of a call's mutable state (issue 16, STYLE.md "one owner per piece of state"): a serial executor with
/// one mailbox. Commands run one at a time, in the order they arrived, never two at once; the call's stages
/// (<see cref="TalkStage"/>, the conference stages through <c>CallParties</c>) read and change the call's state only
/// inside a command. Whoever has something to say to the call — the phone legs' events (DTMF, re-INVITE hold, REFER,
/// a department's or supervisor's BYE), the CTI service, timers, the outcome of a long await (a department answered),
/// the flow's own path between its awaits — hands it a command:
/// <list type="bullet">
/// <item><see cref="Post"/>: an event that must not wait; it runs after whatever the owner is doing.</item>
/// <item><see cref="RunAsync{T}"/>: a caller that needs the answer and can await it.</item>
/// <item><see cref="Run{T}"/>: a caller that needs the answer before it returns (a REFER's refusal status must be set
/// before the SIP layer's event handler returns; CTI Hold answers synchronously).</item>
/// </list>
/// Commands are synchronous and short: whatever takes time (a re-INVITE, ringing a department, playing a prompt) is
/// started by a command and awaited outside the owner, and its outcome comes back as another command. So the owner is
/// never blocked by SIP and always free to take the caller's hang-up.
/// </summary>
/// <remarks>
/// <para>There is no thread per call: the owner's turn passes from thread to thread in mailbox order. A
/// <see cref="Run{T}"/> command runs on its caller's thread — at once when the owner is idle, else when the thread
/// running the command before it hands it the turn (it waits for a thread that is already running, so waiting cannot
/// starve); posted and awaited commands run on the thread pool, never on a <see cref="Run{T}"/> caller's thread, which
/// may hold things of its own (a SIP dialog, a CTI request). Only one thread holds the turn at a time.</para>
/// <para>A command that calls <see cref="Run{T}"/> or <see cref="RunAsync{T}"/> of its own owner runs that command at
/// once, inline — it is already the owner, and waiting for its own mailbox would never end (a stage's helper called
/// from the flow's command). <see cref="Post"/> from a command always queues: it runs after the current one.</para>
/// <para>After <see cref="Close"/> (the call ended) the owner refuses new commands: <see cref="Post"/> and
/// <see cref="TryRun"/> return false, <see cref="Run{T}"/> throws and <see cref="RunAsync{T}"/> faults with
/// <see cref="CallEndedException"/>. Commands accepted before still run.</para>
/// <para>A command's exception goes back to its caller (<see cref="Run{T}"/> rethrows it, <see cref="RunAsync{T}"/>
/// faults); a posted command has no caller, so its exception goes to the <c>failed</c> callback; the next command still
/// runs.</para>
/// </remarks>
public sealed class CallOwner
{
    // Guards the mailbox and the loop's flag only, never the call's state: held for an enqueue or dequeue, never
    // while a command runs.
    private readonly Lock _mailbox = new();
    private readonly Queue<Command> _pending = new();
    private readonly Action<Exception> _failed;
    private bool _running; // A thread holds the owner's turn (runs a command, or is about to).
    private bool _closed;
    private int _runningThread; // ManagedThreadId of the thread inside a command now; 0 between commands.

    /// <param name="callId">The call this owner serves (in <see cref="CallEndedException"/>'s message).</param>
    /// <param name="failed">Told of a posted command's exception (the session logs it).</param>
    public CallOwner(string callId, Action<Exception> failed)
    {
        CallId = callId;
        _failed = failed;
    }

    public string CallId { get; }

    /// <summary>True inside one of this owner's commands.</summary>
    public bool IsCurrent => Volatile.Read(ref _runningThread) == Environment.CurrentManagedThreadId;

    /// <summary>The call ended: no new command is accepted.</summary>
    public bool IsClosed
    {
        get { lock (_mailbox) return _closed; }
    }

    /// <summary>Queues an event for the owner and returns at once; false (nothing queued) when the call has ended.</summary>
    public bool Post(Action command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Submit(new Posted(command, _failed));
    }

    /// <summary>Runs <paramref name="command"/> on the owner; its result or exception when done.</summary>
    public Task<T> RunAsync<T>(Func<T> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (IsCurrent) return RunInline(command);
        var awaited = new Awaited<T>(command);
        return Submit(awaited) ? awaited.Task : Task.FromException<T>(Ended());
    }

    /// <summary>Runs <paramref name="command"/> on the owner; completes when done (faulted with its exception).</summary>
    public Task RunAsync(Action command) => RunAsync(() =>
    {
        command();
        return true;
    });

    /// <summary>
    /// Runs <paramref name="command"/> on the owner and returns its result (rethrows its exception). Inside one of this
    /// owner's commands it runs at once. Throws <see cref="CallEndedException"/> when the call has ended.
    /// </summary>
    public T Run<T>(Func<T> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (IsCurrent) return command();
        var waited = new Waited<T>(command);
        bool myTurn;
        lock (_mailbox)
        {
            if (_closed) throw Ended();
            myTurn = !_running;
            if (myTurn) _running = true;
            else _pending.Enqueue(waited);
        }
        if (!myTurn) waited.WaitForTurn(); // The thread running the owner's commands hands it over in order.
        RunFrom(waited, onPool: false);
        return waited.Result();
    }

    /// <summary>As <see cref="Run{T}"/> without a result.</summary>
    public void Run(Action command) => Run(() =>
    {
        command();
        return true;
    });

    /// <summary>As <see cref="Run(Action)"/>, but false instead of an exception when the call has ended.</summary>
    public bool TryRun(Action command)
    {
        try
        {
            Run(command);
            return true;
        }
        catch (CallEndedException ex) when (ex.CallId == CallId)
        {
            return false;
        }
    }

    /// <summary>As <see cref="Run{T}"/>, but <paramref name="ended"/> instead of an exception when the call has ended.</summary>
    public T TryRun<T>(Func<T> command, T ended)
    {
        try
        {
            return Run(command);
        }
        catch (CallEndedException ex) when (ex.CallId == CallId)
        {
            return ended;
        }
    }

    /// <summary>The call ended: later commands are refused (see remarks). Idempotent.</summary>
    public void Close()
    {
        lock (_mailbox) _closed = true;
    }

    /// <summary>Queues a posted or awaited command; starts it on the pool when the owner is idle. False when closed.</summary>
    private bool Submit(Command command)
    {
        lock (_mailbox)
        {
            if (_closed) return false;
            if (_running)
            {
                _pending.Enqueue(command);
                return true;
            }
            _running = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static start => start.Owner.RunFrom(start.Command, onPool: true), (Owner: this, Command: command), preferLocal: false);
        return true;
    }

    /// <summary>
    /// Runs commands in order from <paramref name="first"/>, on this thread, while it holds the owner's turn. A
    /// <see cref="Run{T}"/> caller's command is run on that caller's own thread (the turn is handed to it), so a command
    /// never runs on a thread that holds what another caller holds (its SIP dialog, the CTI request) — the owner orders
    /// like the lock it replaced. Posted and awaited commands run on the pool, never on a <see cref="Run{T}"/> caller's
    /// thread.
    /// </summary>
    private void RunFrom(Command first, bool onPool)
    {
        var current = first;
        while (true)
        {
            Volatile.Write(ref _runningThread, Environment.CurrentManagedThreadId);
            current.Execute(); // Never throws: each command keeps its exception for its caller.
            Volatile.Write(ref _runningThread, 0);
            Command? next;
            lock (_mailbox)
            {
                if (!_pending.TryDequeue(out next))
                {
                    _running = false;
                    return;
                }
            }
            if (next is IWaiting waiting)
            {
                waiting.GiveTurn();
                return;
            }
            if (!onPool)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static start => start.Owner.RunFrom(start.Command, onPool: true), (Owner: this, Command: next), preferLocal: false);
                return;
            }
            current = next;
        }
    }

    private CallEndedException Ended() => new(CallId);

    private static Task<T> RunInline<T>(Func<T> command)
    {
        try
        {
            return Task.FromResult(command());
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    private abstract class Command
    {
        /// <summary>Runs the command; keeps its exception for its caller (never throws).</summary>
        public abstract void Execute();
    }

    private interface IWaiting
    {
        /// <summary>The owner's turn passes to the thread waiting in <see cref="Run{T}"/>.</summary>
        void GiveTurn();
    }

    private sealed class Posted(Action command, Action<Exception> failed) : Command
    {
        public override void Execute()
        {
            try
            {
                command();
            }
            catch (Exception ex)
            {
                failed(ex);
            }
        }
    }

    private sealed class Awaited<T>(Func<T> command) : Command
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _done.Task;

        public override void Execute()
        {
            try
            {
                _done.TrySetResult(command());
            }
            catch (Exception ex)
            {
                _done.TrySetException(ex);
            }
        }
    }

    /// <summary>A <see cref="Run{T}"/> command: the signal its caller waits on for its turn, then its result or exception.</summary>
    private sealed class Waited<T>(Func<T> command) : Command, IWaiting
    {
        private readonly ManualResetEventSlim _turn = new(false);
        private T _result = default!;
        private ExceptionDispatchInfo? _error;

        public void GiveTurn() => _turn.Set();

        public void WaitForTurn() => _turn.Wait();

        public override void Execute()
        {
            try
            {
                _result = command();
            }
            catch (Exception ex)
            {
                _error = ExceptionDispatchInfo.Capture(ex);
            }
        }

        public T Result()
        {
            _error?.Throw();
            return _result;
        }
    }
}

/// <summary>A command for a call that has ended (its <see cref="CallOwner"/> is closed): nothing was done.</summary>
public sealed class CallEndedException(string callId)
    : InvalidOperationException($"Call {callId} has ended; the command was not run.")
{
    public string CallId { get; } = callId;
}
