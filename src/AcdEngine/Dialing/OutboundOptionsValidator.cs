using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Dialing;

/// <summary><c>Outbound:*</c> checked at start: each failure names its key.</summary>
public sealed class OutboundOptionsValidator : IValidateOptions<OutboundOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboundOptions options)
    {
        var failures = DialPlan.Problems(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The dial plan's registration: <c>Outbound:*</c>, validated at start.</summary>
public static class DialingRegistration
{
    public static IServiceCollection AddDialing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboundOptions>().Bind(configuration.GetSection(OutboundOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OutboundOptions>, OutboundOptionsValidator>();
        return services;
    }
}
