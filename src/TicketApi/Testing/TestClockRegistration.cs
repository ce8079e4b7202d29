namespace Hotline.TicketApi.Testing;

/// <summary>Chooses the host's <see cref="TimeProvider"/> (<c>Testing:Clock</c>): the real clock, or the manual test clock.</summary>
public static class TestClockRegistration
{
    public static IServiceCollection AddHostClock(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TestingOptions>().Bind(configuration.GetSection(TestingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var manual = configuration.GetSection(TestingOptions.Section).Get<TestingOptions>()?.ManualClock == true;
        if (!manual)
        {
            services.AddSingleton(TimeProvider.System);
            return services;
        }
        services.AddSingleton(new ManualClock(TimeProvider.System.GetUtcNow()));
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<ManualClock>());
        services.AddHostedService<ManualClockWarning>();
        return services;
    }

    /// <summary>Maps <c>/api/testing/clock</c> only when the manual clock is configured: otherwise the path does not exist.</summary>
    public static WebApplication MapHostClock(this WebApplication app)
    {
        if (app.Services.GetService<ManualClock>() is not null) app.MapTestingClockApi();
        return app;
    }
}

/// <summary>Says loudly, at start, that this TicketApi runs on a test clock.</summary>
internal sealed class ManualClockWarning(ManualClock clock, ILogger<ManualClockWarning> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        log.LogWarning("TEST CLOCK: Testing:Clock=Manual — TicketApi's time stands at {UtcNow:O} and moves only through /api/testing/clock (admin). Deadlines, overdue flags and metrics follow it. Never run a real hotline like this.", clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
