using Microsoft.Extensions.Options;

namespace Hotline.TicketApi.Security;

/// <summary>TicketApi's side of the identity model: demo-mode refusal, ingest node keys, the wrong-key limit.</summary>
public static class SecurityRegistration
{
    public static IServiceCollection AddTicketSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>>(new DemoModeValidator(configuration));
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        services.AddHostedService<DemoModeWarning>();
        services.AddSingleton<FailedKeyLimit>();
        return services;
    }
}
