using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Survey;

/// <summary><c>Survey:*</c> checked at start.</summary>
public sealed class SurveyOptionsValidator : IValidateOptions<SurveyOptions>
{
    public ValidateOptionsResult Validate(string? name, SurveyOptions options)
    {
        var failures = options.Problems().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The post-call survey's registration: <c>Survey:*</c>, validated at start.</summary>
public static class SurveyRegistration
{
    public static IServiceCollection AddSurvey(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SurveyOptions>().Bind(configuration.GetSection(SurveyOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SurveyOptions>, SurveyOptionsValidator>();
        return services;
    }
}
