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
        services.AddSingleton<SipRouting>();
        services.AddHostedService<SipService>();
        return services;
    }
}
