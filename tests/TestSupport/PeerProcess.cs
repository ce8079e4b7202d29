using System.Collections.Concurrent;
using System.Diagnostics;

namespace Hotline.TestSupport;

/// <summary>
/// A real program started for a test (redis-server, sipp, baresip, a Hotline host). Captures its output, lets a test
/// await a line, and kills the whole process tree on dispose.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Tcs)> _waiters = [];
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PeerProcess(Process process) => _process = process;

    private const string DefaultSignals = "/usr/bin/env";

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line the process wrote so far (stdout and stderr).</summary>
    public string Output => string.Join('\n', _lines);

    public Task<int> Exited { get; private set; } = Task.FromResult(0);

    public static PeerProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        // A test run started in the background (CI, `cmd &`) has SIGINT and SIGQUIT ignored, and exec keeps them ignored:
        // a peer would then never see the Ctrl-C a test sends. coreutils' env gives the peer the terminal's default.
        var info = new ProcessStartInfo(DefaultSignals)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        info.ArgumentList.Add("--default-signal=INT,QUIT");
        info.ArgumentList.Add(fileName);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment) info.Environment[k] = v;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new PeerProcess(process);
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data, peer._stdoutClosed);
        process.ErrorDataReceived += (_, e) => peer.OnLine(e.Data, peer._stderrClosed);
        process.Exited += (_, _) => _ = peer.CompleteExitAsync(process.ExitCode, exited);
        if (!process.Start()) throw new InvalidOperationException("Could not start " + fileName);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        peer.Exited = exited.Task;
        return peer;
    }

    /// <summary>Completes with the first line (already seen or future) that matches.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _lines.FirstOrDefault(match);
            if (seen is not null) return Task.FromResult(seen);
            _waiters.Add((match, tcs));
        }
        return tcs.Task.WaitAsync(timeout);
    }

    /// <summary>
    /// The exit, once the program's output is read to its end: Process raises Exited before the redirected output is
    /// drained (only the parameterless WaitForExit waits for it), so the last lines a program writes as it ends (sipp's
    /// final statistics, read by the whole-site test) could be missing from <see cref="Output"/> at Exited.
    /// </summary>
    private async Task CompleteExitAsync(int exitCode, TaskCompletionSource<int> exited)
    {
        try
        {
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // A child the program left behind still holds its output open: the exit is reported without it.
        }
        exited.TrySetResult(exitCode);
    }

    private void OnLine(string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (_gate)
        {
            _lines.Enqueue(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Tcs.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Sends SIGTERM-like stop (Kill of the tree) and waits for exit.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}
