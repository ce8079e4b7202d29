namespace Hotline.AcdEngine.Reload;

/// <summary>Live reload (issue 20): the configuration as started, then the reload that applies queues, agents, departments, prompts.</summary>
public static class ReloadRegistration
{
    public static IServiceCollection AddReload(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new ConfigurationBaseline(configuration));
        services.AddSingleton<ConfigurationReload>();
        return services;
    }
}
