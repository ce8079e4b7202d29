using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Hotline.Cti.Sip.Messages;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>A parsed message and the transport address it came from.</summary>
public delegate void SipMessageReceived(SipMessage message, SipEndPoint source);

/// <summary>
/// The transport layer (RFC 3261 §18, PJSIP's sip_transport): owns the UDP and TCP transports, parses what they
/// receive, answers unparsable requests with 400/505 when a response can be routed, stamps
/// <c>received</c>/<c>rport</c> on the top Via (§18.2.1, RFC 3581) and hands the rest up.
/// </summary>
public sealed partial class SipTransportLayer : ISipSender, IAsyncDisposable
{
    private readonly SipTransportOptions _options;
    private readonly SipParserLimits _limits;
    private readonly ILogger<SipTransportLayer> _logger;
    private readonly SipUdpTransport _udp;
    private readonly SipTcpTransport? _tcp;
    private readonly SipTcpTransport? _tls;
    private readonly SipWebSocketTransport? _ws;
    private readonly string _advertisedHost;
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;
    private SipMessageReceived? _receiver;
    private long _rejected;
    private readonly SipMessageCounters _counters = new();

    public SipTransportLayer(SipTransportOptions options, SipParserLimits limits, ILogger<SipTransportLayer> logger)
    {
        _options = options;
        _limits = limits;
        _logger = logger;
        if (!IPAddress.TryParse(options.Host, out var address))
            throw new ArgumentException($"Sip:Host must be an IPv4 or IPv6 address, not '{options.Host}'.", nameof(options));
        for (var attempt = 1; ; attempt++)
        {
            _udp = new SipUdpTransport(new IPEndPoint(address, options.Port), logger, options.UdpBatch);
            try
            {
                if (options.EnableTcp) _tcp = new SipTcpTransport(new IPEndPoint(address, _udp.LocalEndPoint.Port), limits.MaxMessageBytes, options.Stream, logger);
                break;
            }
            catch (SocketException ex) when (options.Port == 0 && ex.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 20)
            {
                // Port 0: the kernel chose a free UDP port, and TCP must share its number (RFC 3261 §18: one port for
                // both); that number can be taken for TCP (another socket's ephemeral port), so choose again (run 16).
                _udp.Dispose();
            }
            catch
            {
                _udp.Dispose();
                throw;
            }
        }
        try
        {
            // RFC 3261 §26.2: TLS beside UDP/TCP, on its own port (5061), when a certificate is configured.
            if (options.EnableTls)
                _tls = new SipTcpTransport(new IPEndPoint(address, options.TlsPort), limits.MaxMessageBytes, options.Stream, logger, new SipTlsSettings(options, logger));
            // RFC 7118: browsers, over TLS with the same certificate (wss) unless plain ws is explicitly allowed.
            if (options.WebSocket is { } ws)
                _ws = new SipWebSocketTransport(new IPEndPoint(address, ws.Port), limits.MaxMessageBytes, options.Stream, ws, logger,
                    options.EnableTls ? new SipTlsSettings(options, logger) : null);
        }
        catch
        {
            _tls?.Dispose();
            _tcp?.Dispose();
            _udp.Dispose();
            throw;
        }
        _advertisedHost = options.AdvertisedHost ?? (address.Equals(IPAddress.Any) ? "127.0.0.1" : address.Equals(IPAddress.IPv6Any) ? "::1" : address.ToString());
    }

    /// <summary>The UDP port actually bound (useful when configured as 0).</summary>
    public int Port => _udp.LocalEndPoint.Port;

    public string AdvertisedHost => _advertisedHost;

    /// <summary>Open TCP connections now.</summary>
    public int TcpConnectionCount => _tcp?.ConnectionCount ?? 0;

    /// <summary>TCP connections refused over a cap, closed for a missed deadline, dropped for not reading (since start).</summary>
    public (long Refused, long TimedOut, long Dropped) TcpCounters => _tcp?.Counters ?? default;

    /// <summary>The TLS port actually bound (null when TLS is off).</summary>
    public int? TlsPort => _tls?.LocalEndPoint.Port;

    /// <summary>The WebSocket port actually bound (null when SIP over WebSocket is off).</summary>
    public int? WebSocketPort => _ws?.LocalEndPoint.Port;

    /// <summary>Open WebSocket connections now.</summary>
    public int WebSocketConnectionCount => _ws?.ConnectionCount ?? 0;

    /// <summary>Messages rejected by the parser since start.</summary>
    public long RejectedCount => Interlocked.Read(ref _rejected);

    public void Start(SipMessageReceived receiver)
    {
        _receiver = receiver;
        var loops = _options.UdpReceivers > 0 ? _options.UdpReceivers : Math.Max(2, Environment.ProcessorCount);
        var udp = _udp.RunAsync(loops, (d, r) => OnBytes(d, new SipEndPoint(SipProtocol.Udp, r)), _stopping.Token);
        var tcp = _tcp?.RunAsync((d, r) => OnBytes(d, new SipEndPoint(SipProtocol.Tcp, r)), _stopping.Token) ?? Task.CompletedTask;
        var tls = _tls?.RunAsync((d, r) => OnBytes(d, new SipEndPoint(SipProtocol.Tls, r)), _stopping.Token) ?? Task.CompletedTask;
        var ws = _ws?.RunAsync((d, r) => OnBytes(d, new SipEndPoint(_ws.Protocol, r)), _stopping.Token) ?? Task.CompletedTask;
        _running = Task.WhenAll(udp, tcp, tls, ws);
        LogListening(_advertisedHost, Port, _tcp is not null);
        if (_tls is not null) LogListeningTls(_advertisedHost, _tls.LocalEndPoint.Port);
        if (_ws is { IsSecure: true }) LogListeningWss(_advertisedHost, _ws.LocalEndPoint.Port, _options.WebSocket!.Path);
        else if (_ws is not null) LogListeningPlainWs(_advertisedHost, _ws.LocalEndPoint.Port, _options.WebSocket!.Path);
        if (_ws is not null && _options.WebSocket!.AllowedOrigins.Contains("*")) LogAnyOrigin();
    }

    public string SentBy(SipProtocol protocol) => SipUri.FormatHostPort(_advertisedHost, protocol switch
    {
        SipProtocol.Tls when _tls is not null => _tls.LocalEndPoint.Port,
        SipProtocol.Ws or SipProtocol.Wss when _ws is not null => _ws.LocalEndPoint.Port,
        _ => Port,
    });

    private void OnBytes(ReadOnlySpan<byte> data, SipEndPoint source)
    {
        var result = SipParser.Parse(data, _limits);
        if (result.Error == SipParseError.Empty) return;
        var message = result.Message;
        if (!result.Success)
        {
            Interlocked.Increment(ref _rejected);
            _counters.Rejected();
            // RFC 3261 §16.3/§18.1: answer a bad request if its Via tells us where (or it came on a connection, §18.2.2,
            // RFC 4475 §3.1.2.1); never answer a response or ACK.
            if (message is { IsRequest: true } && message.Method != SipMethods.Ack && (message.TopVia is not null || source.IsReliable))
            {
                LogRejected(source, result.Error);
                if (message.TopVia is not null) StampVia(message, source);
                var response = SipResponses.Create(message, result.Error.StatusCode(), result.Error.ReasonPhrase());
                Send(response, ResponseDestination(message, source));
            }
            else LogDropped(source, result.Error);
            return;
        }
        if (message!.IsRequest) StampVia(message, source);
        else if (message.CountHeaders(SipHeaderId.Via) != 1)
        {
            // §18.1.2: a response with more than one Via is not for us.
            LogDropped(source, SipParseError.MalformedVia);
            return;
        }
        if (source.IsReliable) AliasContact(message, source);
        _counters.Received(message);
        _receiver?.Invoke(message, source);
    }

    // RFC 5923: requests and responses to the Contact a peer gave over a connection go back over that connection.
    private void AliasContact(SipMessage message, SipEndPoint source)
    {
        if (source.IsWebSocket)
        {
            // RFC 7118 §5: a browser's Contact names its connection (a flow), whatever host it made up.
            if (_ws is not null && SipNameAddr.TryParse(message.GetHeader(SipHeaderId.Contact), out var wsContact)
                && SipEndPoint.ProtocolOf(wsContact.Uri.Transport) == SipProtocol.Wss)
                _ws.Announce(SipWebSocketFlows.Key(wsContact.Uri), source.Address);
            return;
        }
        var transport = source.Protocol == SipProtocol.Tls ? _tls : _tcp;
        if (transport is null || !SipNameAddr.TryParse(message.GetHeader(SipHeaderId.Contact), out var contact)) return;
        if (!IPAddress.TryParse(contact.Uri.Host.Trim('[', ']'), out var ip)) return;
        var port = contact.Uri.Port ?? (source.Protocol == SipProtocol.Tls ? 5061 : 5060);
        var connection = source.Address.Address.IsIPv4MappedToIPv6
            ? new IPEndPoint(source.Address.Address, source.Address.Port) : source.Address;
        transport.Alias(new IPEndPoint(ip, port), connection);
    }

    /// <summary>§18.2.1 and RFC 3581 §4: record where the request really came from in the top Via.</summary>
    private static void StampVia(SipMessage request, SipEndPoint source)
    {
        var via = request.TopVia!;
        var ip = source.Address.Address.IsIPv4MappedToIPv6 ? source.Address.Address.MapToIPv4() : source.Address.Address;
        var sourceHost = ip.ToString();
        var changed = false;
        if (!string.Equals(via.Host, sourceHost, StringComparison.OrdinalIgnoreCase))
        {
            via.Parameters["received"] = sourceHost;
            changed = true;
        }
        if (via.HasRport && via.RportValue is null)
        {
            via.Parameters["received"] = sourceHost;
            via.Parameters["rport"] = source.Address.Port.ToString(CultureInfo.InvariantCulture);
            changed = true;
        }
        if (changed) request.ReplaceTopVia(via);
    }

    /// <summary>
    /// RFC 3261 §18.2.2 and RFC 3581 §4: reliable transport → the same connection; otherwise the received address,
    /// at the rport if present, else the Via port (5060 by default).
    /// </summary>
    public static SipEndPoint ResponseDestination(SipMessage request, SipEndPoint source)
    {
        if (source.IsReliable) return source;
        var via = request.TopVia;
        if (via is null) return source;
        var port = via.RportValue ?? via.Port ?? 5060;
        return new SipEndPoint(SipProtocol.Udp, new IPEndPoint(source.Address.Address, port));
    }

    public void Send(SipMessage message, SipEndPoint destination)
    {
        var length = SipSerializer.GetLength(message);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var n = SipSerializer.Write(message, buffer);
            if (destination.Protocol == SipProtocol.Tcp && _tcp is not null) _tcp.Send(buffer.AsSpan(0, n), destination.Address);
            else if (destination.IsWebSocket)
            {
                // Never downgrade to UDP: a browser is reached only over its own WebSocket (RFC 7118 §5).
                if (_ws is not null) _ws.Send(buffer.AsSpan(0, n), destination);
                else LogNoWebSocket(destination);
            }
            else if (destination.Protocol == SipProtocol.Tls)
            {
                // Never downgrade: a TLS destination without a TLS transport is not sent at all (RFC 3261 §26.2.2).
                if (_tls is not null) _tls.Send(buffer.AsSpan(0, n), destination.Address, destination.TlsServerName);
                else LogNoTls(destination);
            }
            else _udp.Send(buffer.AsSpan(0, n), destination.Address);
            _counters.Sent(message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Retransmitted(string cause) => _counters.Retransmitted(cause);

    public async ValueTask DisposeAsync()
    {
        // Disposed both by its owner and by the DI container at host shutdown: the second call is a no-op.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync();
        _udp.Dispose();
        _tcp?.Dispose();
        _tls?.Dispose();
        _ws?.Dispose();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
        }
        _stopping.Dispose();
        _counters.Dispose();
    }

    private int _disposed;

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP listening on {Host}:{Port} (UDP, TCP {Tcp})")]
    private partial void LogListening(string host, int port, bool tcp);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP listening on {Host}:{Port} (TLS 1.2/1.3)")]
    private partial void LogListeningTls(string host, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP listening on wss://{Host}:{Port}{Path} (SIP over WebSocket, RFC 7118)")]
    private partial void LogListeningWss(string host, int port, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP listening on PLAIN ws://{Host}:{Port}{Path} WITHOUT TLS: agents' passwords digests and calls' signalling are readable on the network; for demos on loopback only (Sip:WebSocket:AllowPlain / Security:DemoMode)")]
    private partial void LogListeningPlainWs(string host, int port, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP WebSocket: pages of ANY origin may open the phone's connection (Sip:WebSocket:AllowedOrigins \"*\" or Security:DemoMode); list the desk's origin instead")]
    private partial void LogAnyOrigin();

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP: not sending to {Destination}: SIP over WebSocket is not configured (Sip:WebSocket)")]
    private partial void LogNoWebSocket(SipEndPoint destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP: not sending to {Destination}: TLS is not configured (Sip:Tls:CertificatePath)")]
    private partial void LogNoTls(SipEndPoint destination);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP rejected a request from {Source}: {Reason}")]
    private partial void LogRejected(SipEndPoint source, SipParseError reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP dropped an unroutable message from {Source}: {Reason}")]
    private partial void LogDropped(SipEndPoint source, SipParseError reason);
}
