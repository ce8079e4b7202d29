using System.Buffers;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>Why a stream connection was closed.</summary>
public enum SipStreamCloseReason
{
    PeerClosed,
    MessageTimeout,
    IdleTimeout,
    FramingLost,
    SendQueueFull,
    WriteTimeout,
    Error,
    Shutdown,
}

/// <summary>
/// One SIP connection over a <see cref="Stream"/> (RFC 3261 §18.3): frames messages by Content-Length, enforces the
/// per-message and idle deadlines of <see cref="SipStreamOptions"/>, and sends through a bounded queue drained by
/// one asynchronous writer, so a peer that stops reading is dropped and never blocks a thread. TCP gives it a
/// <see cref="System.Net.Sockets.NetworkStream"/>; a TLS transport gives it an authenticated SslStream.
/// </summary>
public sealed partial class SipStreamConnection : IAsyncDisposable
{
    /// <summary>Called with each complete message (the span is valid only during the call).</summary>
    public delegate void MessageHandler(ReadOnlySpan<byte> message, IPEndPoint remote);

    private readonly Task<Stream> _stream;
    private readonly SipStreamOptions _options;
    private readonly int _maxMessageBytes;
    private readonly MessageHandler _handler;
    private readonly ILogger _logger;
    private readonly Channel<(byte[] Buffer, int Length)> _sendQueue;
    private readonly CancellationTokenSource _closing;
    private readonly CancellationTokenSource _deadline = new();
    private readonly TaskCompletionSource<SipStreamCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closeReason = -1;
    private int _closeAfterSends = -1;
    private bool _partial;

    /// <summary>A connection over <paramref name="stream"/>: the connected stream, or a task that yields it (an outgoing connection still connecting).</summary>
    public SipStreamConnection(Task<Stream> stream, IPEndPoint remote, SipStreamOptions options, int maxMessageBytes, MessageHandler handler,
        ILogger logger, CancellationToken stopping)
    {
        _stream = stream;
        Remote = remote;
        _options = options;
        _maxMessageBytes = maxMessageBytes;
        _handler = handler;
        _logger = logger;
        _closing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _sendQueue = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(options.SendQueueMessages)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails: we drop the connection instead of waiting.
        });
    }

    public IPEndPoint Remote { get; }

    /// <summary>Completes with the reason once the connection is closed and its stream disposed.</summary>
    public Task<SipStreamCloseReason> Closed => _closed.Task;

    /// <summary>Starts the reader and the writer; returns at once.</summary>
    public void Start()
    {
        _deadline.CancelAfter(_options.MessageTimeout); // The first message must come soon.
        _ = Task.Run(ReadLoopAsync);
        _ = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues a message (copied); false, and the connection is dropped, when the peer is not keeping up.</summary>
    public bool TrySend(ReadOnlySpan<byte> message)
    {
        if (_closing.IsCancellationRequested || Volatile.Read(ref _closeAfterSends) >= 0) return false;
        var buffer = ArrayPool<byte>.Shared.Rent(message.Length);
        message.CopyTo(buffer);
        if (_sendQueue.Writer.TryWrite((buffer, message.Length))) return true;
        ArrayPool<byte>.Shared.Return(buffer);
        Close(SipStreamCloseReason.SendQueueFull);
        return false;
    }

    private async Task ReadLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(8192);
        var filled = 0;
        try
        {
            var stream = await _stream.WaitAsync(_closing.Token).ConfigureAwait(false);
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (buffer.Length >= _maxMessageBytes + 4)
                    {
                        Close(SipStreamCloseReason.FramingLost);
                        return;
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _maxMessageBytes + 4));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                using var both = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token, _deadline.Token);
                int n;
                try
                {
                    n = await stream.ReadAsync(buffer.AsMemory(filled), both.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_deadline.IsCancellationRequested && !_closing.IsCancellationRequested)
                {
                    Close(_partial ? SipStreamCloseReason.MessageTimeout : SipStreamCloseReason.IdleTimeout);
                    return;
                }
                if (n == 0)
                {
                    Close(SipStreamCloseReason.PeerClosed);
                    return;
                }
                if (filled == 0 && !_partial)
                {
                    // The first byte of a message: from now on it has MessageTimeout to complete (not extended by bytes).
                    _partial = true;
                    _deadline.CancelAfter(_options.MessageTimeout);
                }
                filled += n;
                var consumed = 0;
                while (consumed < filled)
                {
                    var outcome = SipStreamFraming.TryFrame(buffer.AsSpan(consumed, filled - consumed), _maxMessageBytes, out var length);
                    if (outcome == SipStreamFraming.Outcome.NeedMore) break;
                    if (outcome == SipStreamFraming.Outcome.Invalid)
                    {
                        // Framing is lost: nothing after this point can be trusted (§18.3), close the connection,
                        // after letting the parser answer a whole header section (400, RFC 4475 §3.1.2.3).
                        if (length > 0) _handler(buffer.AsSpan(consumed, length), Remote);
                        LogFramingLost(Remote);
                        CloseAfterQueuedSends(SipStreamCloseReason.FramingLost);
                        return;
                    }
                    if (outcome == SipStreamFraming.Outcome.Message) _handler(buffer.AsSpan(consumed, length), Remote);
                    consumed += length;
                    // A complete message (or a keep-alive, RFC 5626 §3.5.1): the connection is in good standing.
                    _partial = false;
                    _deadline.CancelAfter(_options.IdleTimeout);
                }
                if (consumed > 0)
                {
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                }
                if (filled > 0 && !_partial)
                {
                    _partial = true;
                    _deadline.CancelAfter(_options.MessageTimeout);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Close(SipStreamCloseReason.Shutdown);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            Close(SipStreamCloseReason.Error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Stops taking messages, lets the writer send what is already queued (the 400 that answers a message whose
    /// framing was lost, RFC 4475 §3.1.2.3), then closes. Closing at once disposed the stream under the queued answer:
    /// the peer saw the connection close unanswered on a loaded machine (issue 21's loop run). Each queued write still
    /// has <see cref="SipStreamOptions.WriteTimeout"/>, so a peer that stops reading cannot hold the connection.
    /// </summary>
    private void CloseAfterQueuedSends(SipStreamCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeAfterSends, (int)reason, -1) != -1) return;
        _sendQueue.Writer.TryComplete();
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            var stream = await _stream.WaitAsync(_closing.Token).ConfigureAwait(false);
            await foreach (var (buffer, length) in _sendQueue.Reader.ReadAllAsync(_closing.Token).ConfigureAwait(false))
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
                    timeout.CancelAfter(_options.WriteTimeout);
                    try
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, length), timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!_closing.IsCancellationRequested)
                    {
                        Close(SipStreamCloseReason.WriteTimeout);
                        return;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            // The queue completes only by Close (then this is a no-op) or CloseAfterQueuedSends: all is sent now.
            if (Volatile.Read(ref _closeAfterSends) is var after and >= 0) Close((SipStreamCloseReason)after);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            LogSendFailed(Remote, ex.Message);
            Close(SipStreamCloseReason.Error);
        }
    }

    /// <summary>Closes once: stops both loops, disposes the stream, frees queued buffers.</summary>
    public void Close(SipStreamCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, (int)reason, -1) != -1) return;
        if (reason is SipStreamCloseReason.MessageTimeout or SipStreamCloseReason.IdleTimeout or SipStreamCloseReason.SendQueueFull or SipStreamCloseReason.WriteTimeout)
            LogClosed(Remote, reason);
        _sendQueue.Writer.TryComplete();
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        _ = DisposeStreamAsync(reason);
    }

    private async Task DisposeStreamAsync(SipStreamCloseReason reason)
    {
        try
        {
            if (_stream.IsCompletedSuccessfully) await _stream.Result.DisposeAsync().ConfigureAwait(false);
            else _ = _stream.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
        }
        while (_sendQueue.Reader.TryRead(out var queued)) ArrayPool<byte>.Shared.Return(queued.Buffer);
        _deadline.Dispose();
        _closed.TrySetResult(reason);
    }

    public async ValueTask DisposeAsync()
    {
        Close(SipStreamCloseReason.Shutdown);
        await _closed.Task.ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP stream: framing lost on the connection with {Remote}; closing it")]
    private partial void LogFramingLost(IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP stream: closed the connection with {Remote}: {Reason}")]
    private partial void LogClosed(IPEndPoint remote, SipStreamCloseReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP stream: send to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, string error);
}
