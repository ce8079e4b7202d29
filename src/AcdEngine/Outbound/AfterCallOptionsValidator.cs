using Hotline.AcdEngine.Survey;
using Microsoft.Extensions.Options;

namespace Hotline.AcdEngine.Outbound;

/// <summary><c>Outbound:*</c> checked at start: each failure names its key.</summary>
public sealed class OutboundOptionsValidator : IValidateOptions<OutboundOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboundOptions options)
    {
        var failures = DialPlan.Problems(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary><c>Survey:*</c> checked at start.</summary>
public sealed class SurveyOptionsValidator : IValidateOptions<SurveyOptions>
{
    public ValidateOptionsResult Validate(string? name, SurveyOptions options)
    {
        var failures = options.Problems().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
