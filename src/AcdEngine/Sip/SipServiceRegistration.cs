using Hotline.Hosting;
using Hotline.Cti.Calls;
using Hotline.Cti.Calls.Sip;
using Hotline.Cti.Media;
using Hotline.Cti.Media.Rtp;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Sip;

/// <summary>The SIP part of the engine's wiring (called from ServiceRegistration).</summary>
public static class SipServiceRegistration
{
    public static IServiceCollection AddSipStack(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SipOptions>().Bind(configuration.GetSection(SipOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SipOptions>, SipOptionsValidator>();
        services.AddSingleton<SipStack>();
        services.AddSingleton<SipAdmission>();
        services.AddSingleton(sp => new RegistrationFile(
            Path.Combine(DataFolder.Resolve(configuration, sp.GetRequiredService<IHostEnvironment>()), "registrations.json"),
            sp.GetRequiredService<ILogger<RegistrationFile>>()));
        services.AddSingleton<SipRouting>();

        // Media core (Rtp:*) and the telephony the ACD is written against, over the SIP user agent.
        services.AddOptions<RtpOptions>().Bind(configuration.GetSection(RtpOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RtpOptions>, RtpOptionsValidator>();
        services.AddSingleton(sp => new MediaEngine(sp.GetRequiredService<IOptions<RtpOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp =>
        {
            var stack = sp.GetRequiredService<SipStack>();
            var sip = sp.GetRequiredService<IOptions<SipOptions>>().Value;
            // Browsers may call: load DTLS now, not during the first browser answer (docs/webrtc.md, warm-up).
            if (sip.WebSocket.Enabled) _ = sp.GetRequiredService<MediaEngine>().WarmUpWebRtcAsync();
            return new SipTelephony(stack.UserAgent, stack.Registrar.Bindings, sp.GetRequiredService<MediaEngine>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>())
            {
                MediaPolicy = sip.MediaPolicyFor, // per account, else per transport (Sip:Media / Sip:TlsMedia)
                // Sip:AgentProxy: phones register with Kamailio; every ring by user goes there (docs/scaling.md).
                OutboundProxy = sip.AgentProxyUri,
                ProxyDomain = sip.AgentDomain,
            };
        });
        services.AddSingleton<ITelephony>(sp => sp.GetRequiredService<SipTelephony>());
        services.AddHostedService<SipService>();
        return services;
    }
}

/// <summary>Validates <c>Rtp:*</c> at start with the media core's own rules (each failure names its key).</summary>
public sealed class RtpOptionsValidator : IValidateOptions<RtpOptions>
{
    public ValidateOptionsResult Validate(string? name, RtpOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
