using System.Runtime.ExceptionServices;

namespace Hotline.AcdEngine.Calls;

/// <summary>
/// The one owner of a call's mutable state (issue 16, STYLE.md "one owner per piece of state"): a serial executor with
/// one mailbox. Commands run one at a time, in the order they arrived, never two at once; the call's stages
/// (<see cref="TalkStage"/>, the conference stages through <c>CallParties</c>) read and change the call's state only
/// inside a command. Whoever has something to say to the call — the phone legs' events (BYE, DTMF, re-INVITE hold,
/// REFER), the CTI service, timers, the flow's own path after an await — hands it a command:
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
/// <para>There is no thread per call: the thread that finds the owner idle becomes its loop until the mailbox is empty
/// (<see cref="Post"/> and <see cref="RunAsync{T}"/> hand that loop to the thread pool; <see cref="Run{T}"/> runs it
/// on the caller's thread). A caller of <see cref="Run{T}"/> that finds the owner busy waits for a loop that is
/// already running, so waiting cannot starve. Which thread runs the loop does not matter: only one does at a time,
/// and a command never runs beside another.</para>
/// <para>A command that calls <see cref="Run{T}"/> or <see cref="RunAsync{T}"/> of its own owner runs that command at
/// once, inline — it is already the owner, and waiting for its own mailbox would never end (a stage's helper called
/// from the flow's command). <see cref="Post"/> from a command always queues: it runs after the current one.</para>
/// <para>After <see cref="Close"/> (the call ended) the owner refuses new commands: <see cref="Post"/> and
/// <see cref="TryRun"/> return false, <see cref="Run{T}"/> throws and <see cref="RunAsync{T}"/> faults with
/// <see cref="CallEndedException"/>. Commands accepted before still run.</para>
/// <para>A command's exception goes back to its caller (<see cref="Run{T}"/> rethrows it, <see cref="RunAsync{T}"/>
/// faults); a posted command has no caller, so its exception goes to the <c>failed</c> callback; the loop goes on.</para>
/// </remarks>
public sealed class CallOwner
{
    // Guards the mailbox and the loop's flags only, never the call's state: held for an enqueue or dequeue, never
    // while a command runs.
    private readonly Lock _mailbox = new();
    private readonly Queue<Action> _pending = new();
    private readonly Action<Exception> _failed;
    private bool _looping;
    private bool _closed;
    private int _loopThread; // ManagedThreadId of the thread running the loop now; 0 when idle.

    /// <param name="callId">The call this owner serves (in <see cref="CallEndedException"/>'s message).</param>
    /// <param name="failed">Told of a posted command's exception (the session logs it).</param>
    public CallOwner(string callId, Action<Exception> failed)
    {
        CallId = callId;
        _failed = failed;
    }

    public string CallId { get; }

    /// <summary>True on the owner's loop, i.e. inside one of its commands.</summary>
    public bool IsCurrent => Volatile.Read(ref _loopThread) == Environment.CurrentManagedThreadId;

    /// <summary>The call ended: no new command is accepted.</summary>
    public bool IsClosed
    {
        get { lock (_mailbox) return _closed; }
    }

    /// <summary>Queues an event for the owner and returns at once; false (nothing queued) when the call has ended.</summary>
    public bool Post(Action command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Enqueue(() =>
        {
            try
            {
                command();
            }
            catch (Exception ex)
            {
                _failed(ex);
            }
        }, startLoopHere: false) != Start.Refused;
    }

    /// <summary>Runs <paramref name="command"/> on the owner; its result or exception when done.</summary>
    public Task<T> RunAsync<T>(Func<T> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (IsCurrent) return RunInline(command);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Enqueue(() =>
        {
            try
            {
                done.TrySetResult(command());
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }, startLoopHere: false);
        return start == Start.Refused ? Task.FromException<T>(Ended()) : done.Task;
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
        var done = new Completion<T>(command);
        var start = Enqueue(done.Execute, startLoopHere: true);
        if (start == Start.Refused) throw Ended();
        if (start == Start.Here) Loop();
        return done.Wait();
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

    private enum Start { Refused, Queued, Here, Pool }

    private Start Enqueue(Action item, bool startLoopHere)
    {
        lock (_mailbox)
        {
            if (_closed) return Start.Refused;
            _pending.Enqueue(item);
            if (_looping) return Start.Queued;
            _looping = true;
        }
        if (startLoopHere) return Start.Here;
        ThreadPool.UnsafeQueueUserWorkItem(static owner => owner.Loop(), this, preferLocal: false);
        return Start.Pool;
    }

    /// <summary>
    /// The loop: runs queued commands until the mailbox is empty. A <see cref="Run{T}"/> caller that started it runs the
    /// commands that arrive meanwhile too (short ones, by contract) rather than hand them to the pool, where a thread
    /// may be slow to come when the pool is busy and a waiting <see cref="Run{T}"/> caller would wait for it.
    /// </summary>
    private void Loop()
    {
        Volatile.Write(ref _loopThread, Environment.CurrentManagedThreadId);
        while (true)
        {
            Action next;
            lock (_mailbox)
            {
                if (!_pending.TryDequeue(out next!))
                {
                    Volatile.Write(ref _loopThread, 0);
                    _looping = false;
                    return;
                }
            }
            next(); // Never throws: each item catches its command's exception.
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

    /// <summary>A <see cref="Run{T}"/> command: its result or exception, and the signal its caller waits on.</summary>
    private sealed class Completion<T>(Func<T> command)
    {
        private readonly ManualResetEventSlim _done = new(false);
        private T _result = default!;
        private ExceptionDispatchInfo? _error;

        public void Execute()
        {
            try
            {
                _result = command();
            }
            catch (Exception ex)
            {
                _error = ExceptionDispatchInfo.Capture(ex);
            }
            _done.Set();
        }

        public T Wait()
        {
            _done.Wait();
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
