namespace Hotline.AcdEngine.Node;

/// <summary>This engine node's identity (<c>Node:*</c>), validated at start.</summary>
public static class NodeRegistration
{
    public static IServiceCollection AddNode(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NodeOptions>().Bind(configuration.GetSection(NodeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        return services;
    }

    /// <summary>The Redis connection string every engine shares (<c>ConnectionStrings:Redis</c>, docs/scaling.md).</summary>
    public static string RedisConnectionString(IConfiguration configuration) => Redis.RedisRegistration.ConnectionString(configuration);
}
