namespace Hotline.AcdEngine.Queues;

/// <summary>The queues' registration. Needs <c>IOptions&lt;IQueueSettings&gt;</c> (<c>Acd:Queues</c> …), registered by routing.</summary>
public static class QueuesRegistration
{
    public static IServiceCollection AddQueues(this IServiceCollection services)
    {
        services.AddSingleton<CallQueues>();
        return services;
    }
}
