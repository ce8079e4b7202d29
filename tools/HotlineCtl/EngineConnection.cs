using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Hotline.Contracts.V1;

namespace Hotline.HotlineCtl;

/// <summary>
/// The engine's HTTP API and CTI gRPC with <c>Authorization: Bearer</c> (COMMON identity model). Every failure becomes
/// one <see cref="CtlFailure"/> line naming what to check (the URL, which key), never the key itself.
/// </summary>
public sealed class EngineConnection : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly CtlCommandLine _line;
    private readonly KeySource _key;
    private readonly HttpClient _http;
    private readonly GrpcChannel _channel;

    public EngineConnection(CtlCommandLine line, KeySource key)
    {
        _line = line;
        _key = key;
        var ca = LoadCa(line.CaFile);
        _http = new HttpClient(Handler(ca)) { BaseAddress = line.Engine, Timeout = Timeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Key);
        _channel = GrpcChannel.ForAddress(line.Cti, new GrpcChannelOptions { HttpHandler = Handler(ca) });
        Cti = new Cti.CtiClient(_channel);
    }

    public Cti.CtiClient Cti { get; }

    public Metadata Bearer => new() { { "authorization", "Bearer " + _key.Key } };

    /// <summary>GET or POST <paramref name="path"/>; the JSON answer, or a <see cref="CtlFailure"/>.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, string what, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(new HttpRequestMessage(method, path), ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CtlFailure(ex.HttpRequestError == HttpRequestError.SecureConnectionError
                ? $"TLS with the engine API at {_line.Engine} failed ({ex.InnerException?.Message ?? ex.Message}); pass its CA with --ca (tools/run.sh: .data/tls/ca.crt)"
                : $"cannot reach the engine API at {_line.Engine} ({Reason(ex)}); is it running? (--engine or HOTLINE_ENGINE)");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CtlFailure($"the engine API at {_line.Engine} did not answer within {Timeout.TotalSeconds:0} s");
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            switch (response.StatusCode)
            {
                case HttpStatusCode.Unauthorized:
                    throw new CtlFailure($"the engine refused {_key.Description} (401): it is not one of the engine's Api:Keys");
                case HttpStatusCode.Forbidden:
                    throw new CtlFailure($"{_key.Description} may not {what} (403): its role in the engine's Api:Keys does not allow it");
            }
            if (!response.IsSuccessStatusCode)
                throw new CtlFailure($"could not {what}: {ErrorOf(body) ?? $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}"}");
            try
            {
                using var doc = JsonDocument.Parse(body);
                return doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new CtlFailure($"the engine at {_line.Engine} answered something that is not JSON; is --engine the engine's HTTP API?");
            }
        }
    }

    /// <summary>Runs a CTI call, turning gRPC statuses into one-line failures.</summary>
    public async Task<T> CtiAsync<T>(Func<Cti.CtiClient, Metadata, CancellationToken, AsyncUnaryCall<T>> call, string what, CancellationToken ct)
    {
        try
        {
            return await call(Cti, Bearer, ct).ResponseAsync.WaitAsync(Timeout, ct);
        }
        catch (TimeoutException)
        {
            throw new CtlFailure($"the engine CTI at {_line.Cti} did not answer within {Timeout.TotalSeconds:0} s");
        }
        catch (RpcException ex) when (ex.Status.DebugException is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } tls)
        {
            throw new CtlFailure($"TLS with the engine CTI at {_line.Cti} failed ({tls.InnerException?.Message}); pass its CA with --ca (tools/run.sh: .data/tls/ca.crt)");
        }
        catch (RpcException ex)
        {
            throw ex.StatusCode switch
            {
                StatusCode.Unauthenticated => new CtlFailure($"the engine refused {_key.Description} (401): it is not one of the engine's Api:Keys"),
                StatusCode.PermissionDenied => new CtlFailure($"{_key.Description} may not {what} (403): {ex.Status.Detail}"),
                StatusCode.Unavailable => new CtlFailure($"cannot reach the engine CTI at {_line.Cti} ({ex.Status.Detail}); is it running? (--cti or HOTLINE_CTI)"),
                StatusCode.DeadlineExceeded => new CtlFailure($"the engine CTI at {_line.Cti} did not answer within {Timeout.TotalSeconds:0} s"),
                StatusCode.NotFound => new CtlFailure(ex.Status.Detail),
                _ => new CtlFailure($"could not {what}: {ex.Status.Detail} ({ex.StatusCode})"),
            };
        }
    }

    /// <summary>
    /// With <c>--ca</c>, the engine's certificate must chain to that CA (its name is still checked); without it, to the
    /// system's roots. Never "accept any certificate".
    /// </summary>
    private static SocketsHttpHandler Handler(X509Certificate2? ca)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = Timeout };
        if (ca is null) return handler;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None) return true;
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        };
        return handler;
    }

    private static X509Certificate2? LoadCa(string? path)
    {
        if (path is null) return null;
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new UsageException($"cannot read the CA certificate {path} (--ca or HOTLINE_CA): {ex.Message}");
        }
    }

    private static string Reason(HttpRequestException ex) =>
        ex.InnerException is SocketException s ? s.SocketErrorCode.ToString() : ex.HttpRequestError.ToString();

    private static string? ErrorOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _channel.Dispose();
    }
}
