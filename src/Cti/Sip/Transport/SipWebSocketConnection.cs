using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text.Unicode;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// One SIP-over-WebSocket connection (RFC 7118 §5): each WebSocket message carries exactly one SIP message (text
/// frames when it is UTF-8, binary otherwise), so no Content-Length framing is needed. The same hygiene as
/// <see cref="SipStreamConnection"/>: the opening handshake and every message must complete within
/// <see cref="SipStreamOptions.MessageTimeout"/>, an idle connection is closed after
/// <see cref="SipStreamOptions.IdleTimeout"/>, a message over the size cap closes it with 1009 (RFC 6455 §7.4.1),
/// and sends go through a bounded queue drained by one writer, so a browser that stops reading is dropped.
/// </summary>
internal sealed partial class SipWebSocketConnection
{
    private readonly Func<CancellationToken, Task<System.Net.WebSockets.WebSocket>> _open;
    private Task<System.Net.WebSockets.WebSocket> _socket = null!;
    private readonly SipStreamOptions _options;
    private readonly int _maxMessageBytes;
    private readonly SipStreamConnection.MessageHandler _handler;
    private readonly ILogger _logger;
    private readonly Channel<(byte[] Buffer, int Length)> _sendQueue;
    private readonly CancellationTokenSource _closing;
    private readonly CancellationTokenSource _deadline = new();
    private readonly TaskCompletionSource<SipStreamCloseReason> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closeReason = -1;

    /// <summary>A connection whose socket <paramref name="open"/> yields (TLS and HTTP upgrade, bounded by the first-message deadline).</summary>
    public SipWebSocketConnection(Func<CancellationToken, Task<System.Net.WebSockets.WebSocket>> open, IPEndPoint remote, SipStreamOptions options, int maxMessageBytes,
        SipStreamConnection.MessageHandler handler, ILogger logger, CancellationToken stopping)
    {
        _open = open;
        Remote = remote;
        _options = options;
        _maxMessageBytes = maxMessageBytes;
        _handler = handler;
        _logger = logger;
        _closing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _sendQueue = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(options.SendQueueMessages)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails: the connection is dropped instead.
        });
    }

    public IPEndPoint Remote { get; }

    public Task<SipStreamCloseReason> Closed => _closed.Task;

    public void Start()
    {
        _deadline.CancelAfter(_options.MessageTimeout); // the TLS and WebSocket handshakes and the first message
        var handshake = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token, _deadline.Token);
        _socket = _open(handshake.Token);
        _socket.ContinueWith(_ => handshake.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _ = Task.Run(ReadLoopAsync);
        _ = Task.Run(WriteLoopAsync);
    }

    public bool TrySend(ReadOnlySpan<byte> message)
    {
        if (_closing.IsCancellationRequested) return false;
        var buffer = ArrayPool<byte>.Shared.Rent(message.Length);
        message.CopyTo(buffer);
        if (_sendQueue.Writer.TryWrite((buffer, message.Length))) return true;
        ArrayPool<byte>.Shared.Return(buffer);
        Close(SipStreamCloseReason.SendQueueFull);
        return false;
    }

    private async Task ReadLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(8192, _maxMessageBytes + 1));
        var filled = 0;
        try
        {
            var socket = await _socket.WaitAsync(_closing.Token).ConfigureAwait(false);
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (buffer.Length > _maxMessageBytes)
                    {
                        // RFC 6455 §7.4.1 1009: the message is too big to process; RFC 7118 §5 has no partial messages.
                        await CloseSocketAsync(socket, WebSocketCloseStatus.MessageTooBig, "SIP message too large").ConfigureAwait(false);
                        Close(SipStreamCloseReason.FramingLost);
                        return;
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _maxMessageBytes + 1));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                using var both = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token, _deadline.Token);
                ValueWebSocketReceiveResult result;
                try
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(filled), both.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_deadline.IsCancellationRequested && !_closing.IsCancellationRequested)
                {
                    Close(filled > 0 ? SipStreamCloseReason.MessageTimeout : SipStreamCloseReason.IdleTimeout);
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseSocketAsync(socket, WebSocketCloseStatus.NormalClosure, null).ConfigureAwait(false);
                    Close(SipStreamCloseReason.PeerClosed);
                    return;
                }
                if (filled == 0 && result.Count > 0 && !result.EndOfMessage) _deadline.CancelAfter(_options.MessageTimeout); // a message started
                filled += result.Count;
                if (!result.EndOfMessage) continue;
                if (filled > _maxMessageBytes)
                {
                    await CloseSocketAsync(socket, WebSocketCloseStatus.MessageTooBig, "SIP message too large").ConfigureAwait(false);
                    Close(SipStreamCloseReason.FramingLost);
                    return;
                }
                if (filled > 0) _handler(buffer.AsSpan(0, filled), Remote);
                filled = 0;
                _deadline.CancelAfter(_options.IdleTimeout);
            }
        }
        catch (OperationCanceledException)
        {
            Close(_deadline.IsCancellationRequested && !_closing.IsCancellationRequested ? SipStreamCloseReason.MessageTimeout : SipStreamCloseReason.Shutdown);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException
            or System.Security.Authentication.AuthenticationException or InvalidDataException)
        {
            LogReadFailed(Remote, ex.Message);
            Close(SipStreamCloseReason.Error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            var socket = await _socket.WaitAsync(_closing.Token).ConfigureAwait(false);
            await foreach (var (buffer, length) in _sendQueue.Reader.ReadAllAsync(_closing.Token).ConfigureAwait(false))
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
                    timeout.CancelAfter(_options.WriteTimeout);
                    // RFC 7118 §5: a text frame for a UTF-8 message (most SIP), binary for one with a binary body.
                    var type = Utf8.IsValid(buffer.AsSpan(0, length)) ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                    try
                    {
                        await socket.SendAsync(buffer.AsMemory(0, length), type, endOfMessage: true, timeout.Token).ConfigureAwait(false);
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
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException
            or System.Security.Authentication.AuthenticationException or InvalidDataException)
        {
            LogSendFailed(Remote, ex.Message);
            Close(SipStreamCloseReason.Error);
        }
    }

    private async Task CloseSocketAsync(System.Net.WebSockets.WebSocket socket, WebSocketCloseStatus status, string? description)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes once: stops both loops, aborts the socket, frees queued buffers.</summary>
    public void Close(SipStreamCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, (int)reason, -1) != -1) return;
        if (reason is SipStreamCloseReason.MessageTimeout or SipStreamCloseReason.IdleTimeout or SipStreamCloseReason.SendQueueFull
            or SipStreamCloseReason.WriteTimeout or SipStreamCloseReason.FramingLost)
            LogClosed(Remote, reason);
        _sendQueue.Writer.TryComplete();
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        _ = _socket.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) t.Result.Dispose();
            while (_sendQueue.Reader.TryRead(out var queued)) ArrayPool<byte>.Shared.Return(queued.Buffer);
            _deadline.Dispose();
            _closed.TrySetResult(reason);
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP WebSocket: closed the connection with {Remote}: {Reason}")]
    private partial void LogClosed(IPEndPoint remote, SipStreamCloseReason reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP WebSocket: read from {Remote} failed: {Error}")]
    private partial void LogReadFailed(IPEndPoint remote, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP WebSocket: send to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, string error);
}
