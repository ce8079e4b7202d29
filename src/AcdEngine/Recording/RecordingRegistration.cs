using Hotline.Hosting;
using Hotline.AcdEngine.Hosting;
using Microsoft.Extensions.Options;
using Hotline.AcdEngine.Node;

namespace Hotline.AcdEngine.Recording;

public static class RecordingRegistration
{
    /// <summary>Recording options (validated at start), the recordings folder <c>Data:Path/recordings</c>, the retention sweep.</summary>
    public static IServiceCollection AddCallRecording(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RecordingOptions>().Bind(configuration.GetSection(RecordingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new CallRecordings(
            Path.Combine(DataFolder.Resolve(configuration, sp.GetRequiredService<IHostEnvironment>()), "recordings"),
            sp.GetRequiredService<IOptions<RecordingOptions>>().Value, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CallRecordings>>()));
        services.AddSingleton<RecordingRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<RecordingRetention>());
        return services;
    }
}
