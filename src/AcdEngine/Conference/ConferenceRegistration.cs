using Hotline.AcdEngine.Hours;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Conference;

/// <summary>Options and the department directory (validated at start: a bad department list stops the engine).</summary>
public static class ConferenceRegistration
{
    public static IServiceCollection AddConference(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConferenceOptions>().Bind(configuration.GetSection(ConferenceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DepartmentsOptions>().Configure(o => configuration.GetSection(DepartmentOptions.Section).Bind(o.List)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DepartmentsOptions>, DepartmentsOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var zone = sp.GetRequiredService<IOptions<BusinessHoursOptions>>().Value.TimeZone;
            return new DepartmentDirectory(
                sp.GetRequiredService<IOptions<DepartmentsOptions>>().Value.List,
                sp.GetRequiredService<IOptions<ConferenceOptions>>().Value,
                TimeZoneInfo.FindSystemTimeZoneById(zone));
        });
        return services;
    }
}
