using Microsoft.Extensions.Options;

namespace Hotline.Hosting;

/// <summary>
/// Which exceptions out of a host's start are configuration errors (exit code 2, every key named) rather than faults:
/// a failed options validation, several at once (ValidateOnStart gathers them), and a value the configuration binder
/// cannot convert (<c>Rtp:SharedReceive=maybe</c>, <c>Acd:AgentLeaseSeconds=abc</c>), which the binder throws as a
/// plain <see cref="InvalidOperationException"/> naming the key.
/// </summary>
public static class ConfigurationFailures
{
    /// <summary>Exit code for a configuration error that stopped a host.</summary>
    public const int ExitCode = 2;

    // Microsoft.Extensions.Configuration.Binder's message (resource Error_FailedBinding): "Failed to convert configuration
    // value at 'Rtp:SharedReceive' to type 'System.Boolean'." Its only marker is the text; the inner exception is the
    // converter's (FormatException, OverflowException, ArgumentException…).
    private const string BinderFailure = "Failed to convert configuration value";

    /// <summary>The failures to show, or null when <paramref name="exception"/> is not a configuration error.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        OptionsValidationException validation => string.Join("; ", validation.Failures),
        InvalidOperationException binder when binder.Message.StartsWith(BinderFailure, StringComparison.Ordinal) =>
            binder.Message.TrimEnd('.') + (binder.InnerException is { } inner ? ": " + inner.Message : ""),
        AggregateException many when many.InnerExceptions.Count > 0 && many.InnerExceptions.All(e => Describe(e) is not null) =>
            string.Join("; ", many.InnerExceptions.Select(e => Describe(e))),
        _ => null,
    };
}
