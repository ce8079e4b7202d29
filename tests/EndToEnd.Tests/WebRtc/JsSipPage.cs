using Hotline.TestSupport;
using System.Net;
using Microsoft.Playwright;

namespace Hotline.EndToEnd.Tests.WebRtc;

/// <summary>
/// A page at <c>http://127.0.0.1:&lt;free port&gt;/</c>, served by a loopback <see cref="HttpListener"/> in the test
/// (Chromium's Local Network Access checks block a page whose server address it does not know, such as one fulfilled
/// by Playwright's router, from opening a WebSocket to a loopback address; a real loopback server is what an agent
/// on the engine's host has) that loads the vendored
/// JsSIP build (src/TicketApi/wwwroot/vendor/jssip, tools/vendor-jssip.sh) and exposes small helpers to the test:
/// <c>register(url, user, password, domain)</c> resolves with <c>registered</c> or <c>failed:&lt;cause&gt;:&lt;status&gt;</c>;
/// incoming INVITEs are recorded in <c>window.incoming</c> and refused with 486 (no media yet in this slice).
/// </summary>
internal static class JsSipPage
{
    private const string Html = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>JsSIP test phone</title>
        <script src="/vendor/jssip/jssip.min.js"></script>
        </head><body>
        <script>
        window.incoming = [];
        window.register = (url, user, password, domain) => new Promise(resolve => {
          setTimeout(() => resolve('timeout'), 20000);
          const socket = new JsSIP.WebSocketInterface(url);
          const ua = new JsSIP.UA({ sockets: [socket], uri: 'sip:' + user + '@' + domain, password: password,
            register: true, register_expires: 300, session_timers: false, connection_recovery_min_interval: 30,
            connection_recovery_max_interval: 60 });
          const started = performance.now();
          ua.on('registered', () => { window.registeredAfterMs = Math.round(performance.now() - started); resolve('registered'); });
          ua.on('registrationFailed', e => { ua.stop(); resolve('failed:' + e.cause + ':' + (e.response ? e.response.status_code : '')); });
          // The WebSocket refused or lost before any answer (a 403 to the upgrade): JsSIP would retry for ever.
          ua.on('disconnected', () => { if (!ua.isRegistered()) { ua.stop(); resolve('disconnected'); } });
          ua.on('newRTCSession', e => {
            if (e.originator !== 'remote') return;
            window.incoming.push({ from: e.request.from.uri.toString(), ruri: e.request.ruri.toString(), via: e.request.getHeader('Via') });
            e.session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
          });
          ua.start();
          window.ua = ua;
        });
        </script></body></html>
        """;

    /// <summary>Chromium for SIP over wss to the engine's test certificate (a test CA Chromium does not know).</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, params string[] extraArgs) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = Console.Chromium.ExecutablePath,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--ignore-certificate-errors", .. extraArgs],
    });

    /// <summary>Serves the page and the vendored JsSIP on loopback until disposed.</summary>
    public sealed class Server : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly byte[] _jssip = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "src", "TicketApi", "wwwroot", "vendor", "jssip", "jssip.min.js"));
        private readonly byte[] _html;

        /// <summary>Serves <paramref name="html"/> (default: the register-and-refuse page above) at <c>/</c>.</summary>
        public Server(string? html = null)
        {
            _html = System.Text.Encoding.UTF8.GetBytes(html ?? Html);
            Origin = "http://127.0.0.1:" + FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
            _listener.Prefixes.Add(Origin + "/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Origin { get; }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                var path = context.Request.Url!.AbsolutePath;
                var (type, body) = path switch
                {
                    "/" => ("text/html; charset=utf-8", _html),
                    "/vendor/jssip/jssip.min.js" => ("text/javascript", _jssip),
                    _ => ("text/plain", Array.Empty<byte>()),
                };
                context.Response.StatusCode = body.Length == 0 ? 404 : 200;
                context.Response.ContentType = type;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }

    /// <summary>Opens the page in a fresh context.</summary>
    public static async Task<IPage> OpenAsync(IBrowser browser, Server server)
    {
        var context = await browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.Origin + "/");
        return page;
    }
}
