namespace Hotline.AcdEngine.Sip;

/// <summary>Runs the SIP stack for the life of the host: binds, routes, and stops cleanly; registrations kept in a file.</summary>
public sealed partial class SipService(SipStack stack, SipRouting routing, RegistrationFile registrations, Agents.AgentRoster roster,
    Microsoft.Extensions.Options.IOptions<Routing.AcdOptions> acd, ILogger<SipService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var bindings = stack.Registrar.Bindings;
        registrations.Load(bindings);
        // Started before EngineService signs agents in: an agent whose phone is not registered is not made Ready.
        // With Sip:AgentProxy the phones register with the proxy, which this engine cannot see: an agent is judged by
        // their ring instead (404/480 from the proxy → not ready "unreachable", as an unregistered phone here).
        if (stack.Options.AgentProxyUri is { } proxy) LogAgentProxy(logger, proxy.ToString());
        else if (acd.Value.ReadyNeedsRegisteredPhone) roster.PhoneRegistered = user => bindings.Lookup(user).Count > 0;
        bindings.Changed += () =>
        {
            registrations.Save(bindings);
            roster.PhonesChanged();
        };
        routing.Attach();
        stack.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        routing.Detach();
        await stack.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Phones are rung through the proxy {Proxy} (Sip:AgentProxy): agents' readiness is judged by their rings, not by registrations here")]
    private static partial void LogAgentProxy(ILogger logger, string proxy);
}
